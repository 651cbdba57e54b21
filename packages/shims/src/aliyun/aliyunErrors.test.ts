import { describe, expect, it } from 'vitest';
import { ShimError } from '../httpTransport';
import {
  aliyunErrorCodeOf,
  aliyunErrorOf,
  isTransientNetworkError,
  providerCodeOf,
  retryThrottled,
} from './aliyunErrors';

/** Errors shaped as each SDK throws them (openapi-core for FC, ali-oss, tablestore). */
const fc = (code: string, statusCode: number) =>
  Object.assign(new Error(`code: ${statusCode}, ${code} message request id: r1`), {
    name: 'ClientError',
    code,
    statusCode,
  });
const oss = (code: string, status: number) =>
  Object.assign(new Error(`${code}: the message`), { name: `${code}Error`, code, status });
const ots = (code: string, status: number) =>
  Object.assign(new Error(`\n\u0015${code}\u0012\u0017Some message. requestId:r1`), {
    code: status,
  });

describe('Aliyun error codes', () => {
  it('maps each SDK’s errors to stable codes', () => {
    expect(aliyunErrorCodeOf(fc('FunctionNotFound', 404))).toBe('ALIYUN_NOT_FOUND');
    expect(aliyunErrorCodeOf(fc('AccessDenied', 403))).toBe('ALIYUN_ACCESS_DENIED');
    expect(aliyunErrorCodeOf(fc('InvalidAccessKeyId.NotFound', 404))).toBe('ALIYUN_ACCESS_DENIED');
    expect(aliyunErrorCodeOf(fc('ResourceThrottled', 429))).toBe('ALIYUN_THROTTLED');
    expect(aliyunErrorCodeOf(fc('ConcurrentUpdateError', 409))).toBe('ALIYUN_THROTTLED');
    expect(aliyunErrorCodeOf(fc('EntityTooLarge', 400))).toBe('ALIYUN_CODE_TOO_LARGE');
    expect(aliyunErrorCodeOf(fc('InvalidArgument', 400))).toBe('ALIYUN_REQUEST_FAILED');
    // FC answers in Chinese in some regions: the message is kept as written.
    expect(aliyunErrorOf(new Error('函数不存在'), 'x').message).toContain('函数不存在');
    expect(aliyunErrorCodeOf(fc('InvalidArgument', 400), 'ALIYUN_DEPLOY_FAILED')).toBe(
      'ALIYUN_DEPLOY_FAILED',
    );
    expect(aliyunErrorCodeOf(oss('NoSuchKey', 404))).toBe('ALIYUN_NOT_FOUND');
    expect(aliyunErrorCodeOf(oss('SecurityTokenExpired', 403))).toBe('ALIYUN_ACCESS_DENIED');
    expect(aliyunErrorCodeOf(ots('OTSAuthFailed', 403))).toBe('ALIYUN_ACCESS_DENIED');
    expect(aliyunErrorCodeOf(ots('OTSObjectNotExist', 404))).toBe('ALIYUN_NOT_FOUND');
    expect(aliyunErrorCodeOf(ots('OTSServerBusy', 503))).toBe('ALIYUN_THROTTLED');
    // What @alicloud/credentials throws when the chain finds nothing.
    expect(
      aliyunErrorCodeOf(
        new Error(
          'unable to get credentials from any of the providers in the chain: unable to get credentials from enviroment variables',
        ),
      ),
    ).toBe('ALIYUN_ACCESS_DENIED');
    expect(aliyunErrorCodeOf({ code: 'NetworkingError', message: 'ECONNREFUSED' })).toBe(
      'ALIYUN_REQUEST_FAILED',
    );
  });

  it('reads the OTS code out of the tablestore SDK’s message (its code is the HTTP status)', () => {
    expect(providerCodeOf(ots('OTSConditionCheckFail', 403))).toBe('OTSConditionCheckFail');
    expect(providerCodeOf(fc('FunctionNotFound', 404))).toBe('FunctionNotFound');
    expect(providerCodeOf(new Error('plain'))).toBeUndefined();
  });

  it('says what failed, what Aliyun answered and what to do, in printable text', () => {
    const error = aliyunErrorOf(ots('OTSAuthFailed', 403), 'GetRow "e/a" on Tablestore i/t');
    expect(error).toBeInstanceOf(ShimError);
    expect(error.code).toBe('ALIYUN_ACCESS_DENIED');
    expect(error.status).toBe(403);
    expect(error.message).toMatch(
      /^ALIYUN_ACCESS_DENIED: GetRow "e\/a" on Tablestore i\/t failed \(OTSAuthFailed: .*Some message.*\); check the credentials/,
    );
    expect([...error.message].every((c) => c >= ' ')).toBe(true);
    expect(aliyunErrorOf(fc('InvalidArgument', 400), 'x').message).toContain(
      'InvalidArgument message',
    );
    // A ShimError passes through untouched.
    expect(aliyunErrorOf(error, 'again')).toBe(error);
  });
});

describe('retryThrottled', () => {
  it('retries throttling with growing backoff, then gives up with the last error', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const throttled = fc('ResourceThrottled', 429);
    await expect(
      retryThrottled(
        async () => {
          calls += 1;
          throw throttled;
        },
        { attempts: 4, baseMs: 100, sleep: async (ms) => void sleeps.push(ms) },
      ),
    ).rejects.toBe(throttled);
    expect(calls).toBe(4);
    expect(sleeps).toHaveLength(3);
    sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual((100 * 2 ** i) / 2);
      expect(ms).toBeLessThanOrEqual(100 * 2 ** i);
    });
  });

  it('returns once the call succeeds and never retries other errors', async () => {
    let calls = 0;
    const value = await retryThrottled(
      async () => {
        calls += 1;
        if (calls < 3) throw fc('ConcurrentUpdateError', 409);
        return 'ok';
      },
      { sleep: async () => {} },
    );
    expect([value, calls]).toEqual(['ok', 3]);
    let denied = 0;
    await expect(
      retryThrottled(
        async () => {
          denied += 1;
          throw fc('AccessDenied', 403);
        },
        { sleep: async () => {} },
      ),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(denied).toBe(1);
  });

  it('retries timeouts and resets only when asked (control-plane calls, safe to repeat)', async () => {
    // As httpx (under the openapi clients) reports a connect timeout.
    const timeout = Object.assign(
      new Error('ConnectTimeout: Connect http://127.0.0.1:1/x failed.'),
      {
        name: 'RequestTimeoutError',
      },
    );
    expect(isTransientNetworkError(timeout)).toBe(true);
    expect(isTransientNetworkError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(
      true,
    );
    expect(isTransientNetworkError(fc('FunctionNotFound', 404))).toBe(false);
    expect(
      isTransientNetworkError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls === 1) throw timeout;
      return 'ok';
    };
    await expect(retryThrottled(flaky, { sleep: async () => {} })).rejects.toBe(timeout);
    calls = 0;
    expect(await retryThrottled(flaky, { network: true, sleep: async () => {} })).toBe('ok');
    expect(calls).toBe(2);
  });
});
