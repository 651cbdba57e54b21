import { describe, expect, it } from 'vitest';
import { awsErrorCodeOf, awsErrorOf, retryThrottled } from './awsErrors';

function sdkError(name: string, message = 'from AWS', status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

describe('AWS error codes', () => {
  it('maps the SDK exception names a person meets to stable codes', () => {
    expect(awsErrorCodeOf(sdkError('AccessDeniedException'))).toBe('AWS_ACCESS_DENIED');
    expect(awsErrorCodeOf(sdkError('UnrecognizedClientException'))).toBe('AWS_ACCESS_DENIED');
    expect(awsErrorCodeOf(sdkError('ResourceNotFoundException'))).toBe('AWS_NOT_FOUND');
    expect(awsErrorCodeOf(sdkError('NoSuchBucket'))).toBe('AWS_NOT_FOUND');
    expect(awsErrorCodeOf(sdkError('TooManyRequestsException'))).toBe('AWS_THROTTLED');
    expect(awsErrorCodeOf(sdkError('ProvisionedThroughputExceededException'))).toBe(
      'AWS_THROTTLED',
    );
    expect(awsErrorCodeOf(sdkError('RequestEntityTooLargeException'))).toBe('AWS_CODE_TOO_LARGE');
    expect(
      awsErrorCodeOf(
        sdkError(
          'InvalidParameterValueException',
          'Unzipped size must be smaller than 262144000 bytes',
        ),
      ),
    ).toBe('AWS_CODE_TOO_LARGE');
    expect(awsErrorCodeOf(sdkError('InvalidParameterValueException', 'bad runtime'))).toBe(
      'AWS_REQUEST_FAILED',
    );
    expect(awsErrorCodeOf(sdkError('ServiceException'), 'AWS_DEPLOY_FAILED')).toBe(
      'AWS_DEPLOY_FAILED',
    );
  });

  it('wraps with what was done, what AWS said and what to do, keeping the HTTP status', () => {
    const error = awsErrorOf(
      sdkError('AccessDeniedException', 'not authorized to perform lambda:CreateFunction', 403),
      'Lambda CreateFunction d--a on cloud aws',
    );
    expect(error.code).toBe('AWS_ACCESS_DENIED');
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/^AWS_ACCESS_DENIED: Lambda CreateFunction d--a on cloud aws/);
    expect(error.message).toContain('lambda:CreateFunction');
    expect(error.message).toContain('jointflow clouds bootstrap');
  });
});

describe('retryThrottled', () => {
  it('retries throttling with growing delays, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retryThrottled(
      async () => {
        calls += 1;
        if (calls < 4) throw sdkError('ThrottlingException', 'Rate exceeded', 429);
        return 'done';
      },
      { attempts: 5, baseMs: 100, sleep: async (ms) => void delays.push(ms) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(4);
    expect(delays).toHaveLength(3);
    // Each delay is within [base·2^k / 2, base·2^k].
    delays.forEach((d, k) => {
      expect(d).toBeGreaterThanOrEqual((100 * 2 ** k) / 2);
      expect(d).toBeLessThanOrEqual(100 * 2 ** k);
    });
  });

  it('gives up after its attempts and does not retry other errors', async () => {
    let calls = 0;
    await expect(
      retryThrottled(
        async () => {
          calls += 1;
          throw sdkError('TooManyRequestsException');
        },
        { attempts: 3, sleep: async () => {} },
      ),
    ).rejects.toMatchObject({ name: 'TooManyRequestsException' });
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryThrottled(
        async () => {
          calls += 1;
          throw sdkError('AccessDeniedException');
        },
        { sleep: async () => {} },
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(calls).toBe(1);
  });
});
