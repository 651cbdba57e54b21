import { createHash, randomUUID } from 'node:crypto';
import type { ZipApi, ZipEvent } from './workerProtocol';
import { ZipError, type ZipTarget } from './zipFunctions';

/**
 * How a zip function's invocation travels inside the cloud: its queue and worker-pool key, its
 * event (Lambda's JSON, FC's bytes), its spool form, and the sandbox's environment.
 */

const KEY_PREFIX = 'zip:';

/**
 * The queue and pool key of a zip function's `$LATEST` or published version. Lambda and FC
 * names have no `:`, and Jointflow function names never start with `zip:`.
 */
export function zipKey(name: string, version: string): string {
  return `${KEY_PREFIX}${name}:${version}`;
}

export function isZipKey(key: string): boolean {
  return key.startsWith(KEY_PREFIX);
}

export function parseZipKey(key: string): { name: string; version: string } | undefined {
  if (!isZipKey(key)) return undefined;
  const rest = key.slice(KEY_PREFIX.length);
  const colon = rest.lastIndexOf(':');
  if (colon <= 0) return undefined;
  return { name: rest.slice(0, colon), version: rest.slice(colon + 1) };
}

/** The event as the handler gets it: Lambda parses JSON (`{}` when empty), FC passes bytes. */
export function zipEventOf(api: ZipApi, body: Buffer): ZipEvent {
  if (api === 'fc') return { base64: body.toString('base64') };
  if (body.length === 0) return { json: {} };
  try {
    return { json: JSON.parse(body.toString('utf8')) };
  } catch (error) {
    throw new ZipError(
      'bad-payload',
      `Could not parse request body into json: ${error instanceof Error ? error.message : String(error)}; a Lambda payload is JSON`,
    );
  }
}

/** The event back from its spool row (JSON: Lambda's event, or FC's bytes as a base64 string). */
export function spooledZipEvent(api: ZipApi, text: string): ZipEvent {
  const value: unknown = JSON.parse(text);
  if (api === 'fc') return { base64: typeof value === 'string' ? value : '' };
  return { json: value };
}

/** The event's JSON value, if it has one (FC bytes that parse as a JSON object). */
export function zipEventJson(event: ZipEvent): unknown {
  if ('json' in event) return event.json;
  const bytes = Buffer.from(event.base64, 'base64');
  if (bytes.length === 0 || bytes[0] !== 0x7b /* { */) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A UUID-shaped id derived from `seed` (stable across an asynchronous invocation's retries). */
export function requestIdOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const newRequestId = (): string => randomUUID();

/**
 * Lambda's reserved variables: CreateFunction and UpdateFunctionConfiguration refuse them, as
 * Lambda does, so a shim that sets one fails here and not first on AWS.
 */
export const LAMBDA_RESERVED_VARIABLES = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
] as const;

/**
 * The sandbox's environment: the function's variables plus what the cloud's runtime sets.
 * Credentials are placeholders (the stand-in stores accept any), set only where the function's
 * own variables do not (Lambda refuses those names at create, FC does not).
 */
export function sandboxEnv(target: ZipTarget, timeoutMs: number): Record<string, string> {
  const { fn, config, version, codeDir } = target;
  const base = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: 'en_US.UTF-8' };
  if (fn.api === 'lambda') {
    return {
      ...base,
      TZ: ':UTC',
      ...config.env,
      AWS_ACCESS_KEY_ID: config.env.AWS_ACCESS_KEY_ID ?? 'LOCALPLACEHOLDERKEY',
      AWS_SECRET_ACCESS_KEY: config.env.AWS_SECRET_ACCESS_KEY ?? 'local-placeholder-secret',
      AWS_REGION: fn.region,
      AWS_DEFAULT_REGION: fn.region,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/${fn.name}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${config.runtime}`,
      LAMBDA_TASK_ROOT: codeDir,
      _HANDLER: config.handler,
    };
  }
  return {
    ...base,
    ...config.env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: config.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? 'LOCALPLACEHOLDERKEY',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET:
      config.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? 'local-placeholder-secret',
    FC_REGION: fn.region,
    FC_ACCOUNT_ID: '000000000000',
    FC_FUNCTION_NAME: fn.name,
    FC_FUNCTION_HANDLER: config.handler,
    FC_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
    FC_FUNCTION_TIMEOUT: String(Math.round(timeoutMs / 1000)),
    FC_FUNCTION_VERSION: version === '$LATEST' ? 'LATEST' : version,
  };
}
