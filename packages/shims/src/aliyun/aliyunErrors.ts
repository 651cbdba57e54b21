import { ShimError } from '../httpTransport';

/**
 * Aliyun errors as a person meets them: one stable code per kind of trouble, and a message that
 * says what was being done, what Aliyun answered and what to do. The three SDKs report errors
 * differently, and this file knows each:
 * - Function Compute (@alicloud/fc20230330 on openapi-core): `code` is the API's error code
 *   (`FunctionNotFound`, `AccessDenied`…), `statusCode` the HTTP status;
 * - Tablestore (`tablestore` 5.6): its protobuf error body is turned into text and `code` is
 *   the HTTP status (the SDK looks for an XML parser it does not ship), so the OTS code
 *   (`OTSConditionCheckFail`…) is read out of the message; network failures carry
 *   `code: 'NetworkingError'`;
 * - OSS (`ali-oss`): `code` (`NoSuchKey`, `AccessDenied`…) and `status`.
 * Messages carry the operation and the resource, never a credential (none of the SDKs put one
 * in an error, and nothing here adds one).
 */

export type AliyunErrorCode =
  | 'ALIYUN_ACCESS_DENIED'
  | 'ALIYUN_NOT_FOUND'
  | 'ALIYUN_THROTTLED'
  | 'ALIYUN_CODE_TOO_LARGE'
  | 'ALIYUN_DEPLOY_FAILED'
  | 'ALIYUN_REQUEST_FAILED';

const accessDenied = new Set([
  'AccessDenied',
  'Forbidden',
  'InvalidAccessKeyId',
  'InvalidAccessKeyId.NotFound',
  'SignatureNotMatch',
  'SignatureDoesNotMatch',
  'InvalidSecurityToken',
  'SecurityTokenExpired',
  'InvalidCredentials',
  'CredentialsError',
  'OTSAuthFailed',
  'OTSNoPermissionAccess',
  'OTSAccessDenied',
]);
const notFound = new Set([
  'FunctionNotFound',
  'ServiceNotFound',
  'NotFound',
  'NoSuchKey',
  'NoSuchBucket',
  'OTSObjectNotExist',
]);
const throttled = new Set([
  'ResourceThrottled',
  'ResourceExhausted',
  'TooManyRequests',
  'Throttling',
  'Throttling.User',
  'Throttling.Api',
  // FC refuses a change while the previous one is still being applied: wait and retry.
  'ConcurrentUpdateError',
  'OTSServerBusy',
  'OTSNotEnoughCapacityUnit',
  'OTSOperationThrottled',
  'OTSRowOperationConflict',
  'OTSPartitionUnavailable',
  'OTSTableNotReady',
]);
const tooLarge = new Set(['EntityTooLarge', 'CodeSizeExceeded', 'FunctionCodeSizeExceeded']);

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null
    ? (error as Record<string, unknown>)[name]
    : undefined;
}

/** The error's message, stripped of anything that is not printable text. */
export function aliyunMessageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(field(error, 'message') ?? error);
  // Tablestore's message is a protobuf body as text: keep the readable parts (control
  // characters and undecodable bytes become spaces; other text, Chinese included, stays).
  return [...message]
    .map((c) => {
      const code = c.codePointAt(0) ?? 0;
      return code < 0x20 || code === 0x7f || code === 0xfffd ? ' ' : c;
    })
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * The provider's own error code: FC's and OSS's `code`, or the `OTS…` code inside a Tablestore
 * message. Undefined when the error carries none (a plain network failure has `NetworkingError`).
 */
export function providerCodeOf(error: unknown): string | undefined {
  const code = field(error, 'code');
  if (typeof code === 'string' && code !== '' && !/^\d+$/.test(code)) return code;
  const message = error instanceof Error ? error.message : String(field(error, 'message') ?? '');
  const ots = /(OTS[A-Za-z]+)/.exec(message);
  if (ots !== null) return ots[1];
  return undefined;
}

/** The HTTP status the provider answered with, when it answered. */
export function statusOf(error: unknown): number | undefined {
  for (const name of ['statusCode', 'status', 'code']) {
    const value = field(error, name);
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/** True when a Tablestore conditional write was refused because its condition did not hold. */
export function isConditionFailed(error: unknown): boolean {
  return providerCodeOf(error) === 'OTSConditionCheckFail';
}

/** The stable code an Aliyun SDK error maps to (`fallback` for anything unrecognised). */
export function aliyunErrorCodeOf(
  error: unknown,
  fallback: AliyunErrorCode = 'ALIYUN_REQUEST_FAILED',
): AliyunErrorCode {
  if (error instanceof ShimError && error.code.startsWith('ALIYUN_')) {
    return error.code as AliyunErrorCode;
  }
  const code = providerCodeOf(error);
  const status = statusOf(error);
  if (code !== undefined) {
    if (accessDenied.has(code)) return 'ALIYUN_ACCESS_DENIED';
    if (notFound.has(code)) return 'ALIYUN_NOT_FOUND';
    if (throttled.has(code) || code.startsWith('Throttling')) return 'ALIYUN_THROTTLED';
    if (tooLarge.has(code)) return 'ALIYUN_CODE_TOO_LARGE';
  }
  // The credential chain found nothing (no environment, no credentials file, no instance role).
  if (/unable to get credentials from any of the providers/i.test(aliyunMessageOf(error))) {
    return 'ALIYUN_ACCESS_DENIED';
  }
  if (status === 403) return 'ALIYUN_ACCESS_DENIED';
  if (status === 429) return 'ALIYUN_THROTTLED';
  if (status === 413) return 'ALIYUN_CODE_TOO_LARGE';
  return fallback;
}

const advice: Record<AliyunErrorCode, string> = {
  ALIYUN_ACCESS_DENIED:
    'check the credentials the Alibaba Cloud SDK finds (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET / ALIBABA_CLOUD_SECURITY_TOKEN, ~/.alibabacloud/credentials, ~/.aliyun/config.json) and grant them Function Compute, Tablestore and OSS access (see the shims README)',
  ALIYUN_NOT_FOUND:
    'create the Tablestore table and the OSS bucket named in the clouds file (`jointflow clouds bootstrap <cloud>`), or deploy the workflow again',
  ALIYUN_THROTTLED:
    'Aliyun is rate-limiting this account (or a change to the function is still being applied); it was retried with backoff, try again later',
  ALIYUN_CODE_TOO_LARGE:
    'the function package is over Function Compute’s upload limit: move large data to OSS and import less in the step code',
  ALIYUN_DEPLOY_FAILED: 'see the detail above; fix it and deploy again',
  ALIYUN_REQUEST_FAILED:
    'see the detail above; check the region, accountId and endpoints in the clouds file',
};

/**
 * Wraps an Aliyun SDK error in a `ShimError` with a stable code.
 *
 * @example
 * try { await fc.getFunction(name, new GetFunctionRequest({})) }
 * catch (e) { throw aliyunErrorOf(e, `GetFunction ${name} on cloud ali`) }
 */
export function aliyunErrorOf(
  error: unknown,
  action: string,
  fallback: AliyunErrorCode = 'ALIYUN_REQUEST_FAILED',
): ShimError {
  if (error instanceof ShimError) return error;
  const code = aliyunErrorCodeOf(error, fallback);
  const provider = providerCodeOf(error) ?? (error instanceof Error ? error.name : 'Error');
  return new ShimError(
    code,
    `${code}: ${action} failed (${provider}: ${aliyunMessageOf(error)}); ${advice[code]}`,
    statusOf(error),
  );
}

/**
 * True for a request that failed on the way, not by the provider's answer: a connect or read
 * timeout of the openapi clients (httpx's `RequestTimeoutError`), a reset connection. The
 * request may or may not have been applied.
 */
export function isTransientNetworkError(error: unknown): boolean {
  if (statusOf(error) !== undefined) return false;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : '';
  const code = field(error, 'code');
  return (
    name === 'RequestTimeoutError' ||
    /^(ConnectTimeout|ReadTimeout)/.test(message) ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE'
  );
}

/**
 * Runs `call`, retrying with exponential backoff (and jitter) while Aliyun answers with
 * throttling or a conflicting update in progress — and, with `network`, after a timeout or a
 * reset connection (for calls that are safe to repeat: the control plane's, whose repeats end
 * in `FunctionAlreadyExists` or `FunctionNotFound` at worst); other errors are thrown at once.
 */
export async function retryThrottled<T>(
  call: () => Promise<T>,
  options: {
    attempts?: number;
    baseMs?: number;
    network?: boolean;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  const baseMs = options.baseMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const retryable =
        aliyunErrorCodeOf(error) === 'ALIYUN_THROTTLED' ||
        (options.network === true && isTransientNetworkError(error));
      if (attempt >= attempts || !retryable) throw error;
      const delay = baseMs * 2 ** (attempt - 1);
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }
}
