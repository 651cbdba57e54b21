import { ShimError } from '../httpTransport';

/**
 * AWS errors as a person meets them: one stable code per kind of trouble, and a message that
 * says what was being done, what AWS answered and what to do. Messages carry the operation and
 * the resource, never a credential (SDK errors hold none, and nothing here adds one).
 */

export type AwsErrorCode =
  | 'AWS_ACCESS_DENIED'
  | 'AWS_NOT_FOUND'
  | 'AWS_THROTTLED'
  | 'AWS_CODE_TOO_LARGE'
  | 'AWS_DEPLOY_FAILED'
  | 'AWS_REQUEST_FAILED';

const accessDenied = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
  'MissingAuthenticationTokenException',
]);
const notFound = new Set(['ResourceNotFoundException', 'NoSuchBucket', 'NoSuchKey', 'NotFound']);
const throttled = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  // Lambda refuses a change while the previous one is still being applied: wait and retry.
  'ResourceConflictException',
]);
const tooLarge = new Set(['CodeStorageExceededException', 'RequestEntityTooLargeException']);

function nameOf(error: unknown): string {
  if (error instanceof Error) return error.name;
  return 'Error';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The stable code an AWS SDK error maps to (`fallback` for anything unrecognised). */
export function awsErrorCodeOf(
  error: unknown,
  fallback: AwsErrorCode = 'AWS_REQUEST_FAILED',
): AwsErrorCode {
  const name = nameOf(error);
  const message = messageOf(error);
  if (accessDenied.has(name)) return 'AWS_ACCESS_DENIED';
  if (notFound.has(name)) return 'AWS_NOT_FOUND';
  if (throttled.has(name)) return 'AWS_THROTTLED';
  if (tooLarge.has(name)) return 'AWS_CODE_TOO_LARGE';
  if (
    name === 'InvalidParameterValueException' &&
    /(unzipped size|zipped size|too large|exceed)/i.test(message)
  ) {
    return 'AWS_CODE_TOO_LARGE';
  }
  return fallback;
}

const advice: Record<AwsErrorCode, string> = {
  AWS_ACCESS_DENIED:
    'check the credentials the AWS SDK finds (AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws) and give them the policy `jointflow clouds bootstrap <cloud>` prints',
  AWS_NOT_FOUND:
    'create the table and bucket with `jointflow clouds bootstrap <cloud>`, or deploy the workflow again',
  AWS_THROTTLED: 'AWS is rate-limiting this account; it was retried with backoff, try again later',
  AWS_CODE_TOO_LARGE:
    'the function package is over Lambda’s limits (50 MB zipped, 250 MB unzipped): move large data to S3 and import less',
  AWS_DEPLOY_FAILED: 'see the detail above; fix it and deploy again',
  AWS_REQUEST_FAILED: 'see the detail above; check the region and endpoint in the clouds file',
};

/**
 * Wraps an AWS SDK error in a `ShimError` with a stable code.
 *
 * @example
 * try { await client.send(new GetFunctionCommand({ FunctionName })) }
 * catch (e) { throw awsErrorOf(e, `GetFunction ${FunctionName} on cloud aws`) }
 */
export function awsErrorOf(
  error: unknown,
  action: string,
  fallback: AwsErrorCode = 'AWS_REQUEST_FAILED',
): ShimError {
  if (error instanceof ShimError) return error;
  const code = awsErrorCodeOf(error, fallback);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return new ShimError(
    code,
    `${code}: ${action} failed (${nameOf(error)}: ${messageOf(error)}); ${advice[code]}`,
    status,
  );
}

/**
 * Runs `call`, retrying with exponential backoff (and jitter) while AWS answers with throttling
 * or a conflicting update in progress; other errors are thrown at once. The SDK retries
 * throttling a few times itself; this covers the longer waits of control-plane calls.
 */
export async function retryThrottled<T>(
  call: () => Promise<T>,
  options: {
    attempts?: number;
    baseMs?: number;
    sleep?: (ms: number) => Promise<void>;
    /** Which errors to retry (default: those that map to `AWS_THROTTLED`). */
    retryOn?: (error: unknown) => boolean;
  } = {},
): Promise<T> {
  const retryOn =
    options.retryOn ?? ((error: unknown) => awsErrorCodeOf(error) === 'AWS_THROTTLED');
  const attempts = options.attempts ?? 5;
  const baseMs = options.baseMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !retryOn(error)) throw error;
      const delay = baseMs * 2 ** (attempt - 1);
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }
}
