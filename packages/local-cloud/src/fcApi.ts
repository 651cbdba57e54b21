import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Cloud, CloudError } from './cloud';
import type { CloudReply, CloudRequest } from './server';
import type { RunOutcome } from './workerPool';
import { type ZipConfig, ZipError, type ZipErrorKind, type ZipFunction } from './zipFunctions';

/**
 * The subset of Aliyun Function Compute 3.0's HTTP API (2023-03-30) that @alicloud/fc20230330
 * calls to deploy and invoke a zip: CreateFunction, GetFunction, UpdateFunction, DeleteFunction,
 * ListFunctions and InvokeFunction (Sync and Async). Errors are FC's `{Code, Message, RequestId}`
 * with FC's status codes. Requests are signed ACS3-HMAC-SHA256 by the SDK; the signature is not
 * checked here. README.md lists what is and is not implemented.
 */

const CODE_REQUEST_LIMIT = 70_167_211;
const INVOKE_REQUEST_LIMIT = 32 * 1024 * 1024;
const RUNTIMES = ['nodejs16', 'nodejs18', 'nodejs20'];
const REDACTED = '<redacted>';
/** FC's region is in the endpoint's host name, which a loopback endpoint does not have. */
const REGION = 'cn-hangzhou';
const ACCOUNT = '000000000000';

const FUNCTIONS = /^\/2023-03-30\/functions\/?$/;
const FUNCTION = /^\/2023-03-30\/functions\/([^/]+)(\/invocations)?$/;
const NAME = /^[a-zA-Z_][a-zA-Z0-9_-]{0,127}$/;

const code = z.looseObject({
  zipFile: z.string().optional(),
  ossBucketName: z.string().optional(),
  ossObjectName: z.string().optional(),
});
const configFields = {
  runtime: z.string().optional(),
  handler: z.string().min(1).max(128).optional(),
  memorySize: z.number().int().optional(),
  timeout: z.number().int().optional(),
  environmentVariables: z.record(z.string(), z.string()).optional(),
  description: z.string().max(256).optional(),
  role: z.string().optional(),
  code: code.optional(),
};
const createBody = z.looseObject({ functionName: z.string().min(1), ...configFields });
const updateBody = z.looseObject(configFields);

const ERRORS: Record<ZipErrorKind, [number, string]> = {
  'not-found': [404, 'FunctionNotFound'],
  exists: [409, 'FunctionAlreadyExists'],
  invalid: [400, 'InvalidArgument'],
  'too-large': [400, 'EntityTooLarge'],
  'update-in-progress': [409, 'ConcurrentUpdateError'],
  // FC's own code for invoking a function that is not Active yet was not checked: ours.
  'not-ready': [409, 'FunctionNotActive'],
  'payload-too-large': [400, 'EntityTooLarge'],
  'bad-payload': [400, 'InvalidArgument'],
  throttled: [429, 'ResourceExhausted'],
};

function reply(
  status: number,
  body: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): CloudReply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-fc-request-id': requestId, ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

function invalid(message: string): ZipError {
  return new ZipError('invalid', message);
}

function parseBody<T>(schema: z.ZodType<T>, body: Buffer): T {
  let value: unknown;
  try {
    value = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('the request body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

async function readBody(req: CloudRequest, limit: number): Promise<Buffer> {
  try {
    return await req.readBody(limit);
  } catch (error) {
    if (error instanceof CloudError && error.status === 413) {
      throw new ZipError('too-large', `payload size exceeds maximum allowed size (${limit} bytes)`);
    }
    throw error;
  }
}

function checkConfig(cloud: Cloud, fields: z.infer<typeof updateBody>): Partial<ZipConfig> {
  const { limits } = cloud.profile;
  const patch: Partial<ZipConfig> = {};
  if (fields.runtime !== undefined) {
    if (!RUNTIMES.includes(fields.runtime)) {
      throw invalid(
        `runtime ${fields.runtime} is not supported by the local cloud; use one of ${RUNTIMES.join(', ')} (all run on this machine's Node.js)`,
      );
    }
    patch.runtime = fields.runtime;
  }
  if (fields.handler !== undefined) patch.handler = fields.handler;
  if (fields.memorySize !== undefined) {
    const max = Math.min(32_768, limits.maxMemoryMb);
    if (fields.memorySize < 128 || fields.memorySize > max || fields.memorySize % 64 !== 0) {
      throw invalid(
        `memorySize must be a multiple of 64 between 128 and ${max} MB (got ${fields.memorySize})`,
      );
    }
    patch.memoryMb = fields.memorySize;
  }
  if (fields.timeout !== undefined) {
    const max = Math.floor(Math.min(86_400_000, limits.maxTimeoutMs) / 1000);
    if (fields.timeout < 1 || fields.timeout > max) {
      throw invalid(`timeout must be between 1 and ${max} seconds (got ${fields.timeout})`);
    }
    patch.timeoutS = fields.timeout;
  }
  if (fields.environmentVariables !== undefined) patch.env = fields.environmentVariables;
  if (fields.description !== undefined) patch.description = fields.description;
  if (fields.role !== undefined) patch.role = fields.role;
  return patch;
}

function zipOf(input: z.infer<typeof code>): Buffer {
  if (input.ossBucketName !== undefined || input.ossObjectName !== undefined) {
    throw invalid(
      'the local cloud takes code only as code.zipFile (base64 in the request); OSS locations are not supported',
    );
  }
  if (input.zipFile === undefined) throw invalid('code.zipFile is required');
  return Buffer.from(input.zipFile, 'base64');
}

/** FC's time format: `2024-05-01T10:00:00Z`. */
const fcTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** The Function model (as GetFunction returns it); variable values redacted. */
function functionOf(fn: ZipFunction): Record<string, unknown> {
  const { config } = fn;
  const current = fn.pendingCode ?? fn.code;
  const out: Record<string, unknown> = {
    functionName: fn.name,
    functionArn: `acs:fc:${fn.region}:${ACCOUNT}:functions/${fn.name}`,
    functionId: `${fn.name}-${fn.createdAt.toString(36)}`,
    runtime: config.runtime,
    handler: config.handler,
    memorySize: config.memoryMb,
    timeout: config.timeoutS,
    cpu: Math.max(0.05, Math.round((config.memoryMb / 1024) * 100) / 100),
    diskSize: 512,
    instanceConcurrency: 1,
    codeSize: current.size,
    codeChecksum: current.sha256,
    description: config.description,
    role: config.role,
    // Never the values: the ingest secret travels here (README: "Environment values are never returned").
    environmentVariables: Object.fromEntries(Object.keys(config.env).map((k) => [k, REDACTED])),
    state: fn.state,
    lastUpdateStatus: fn.lastUpdateStatus,
    createdTime: fcTime(fn.createdAt),
    lastModifiedTime: fcTime(fn.lastModified),
  };
  if (fn.stateReason !== undefined) out.stateReason = fn.stateReason;
  if (fn.stateReasonCode !== undefined) out.stateReasonCode = fn.stateReasonCode;
  if (fn.lastUpdateStatusReason !== undefined)
    out.lastUpdateStatusReason = fn.lastUpdateStatusReason;
  if (fn.lastUpdateStatusReasonCode !== undefined)
    out.lastUpdateStatusReasonCode = fn.lastUpdateStatusReasonCode;
  return out;
}

/** FC's Node.js error payload for an unhandled handler error. */
function functionError(outcome: RunOutcome & { ok: false }, timeoutS: number) {
  if (outcome.failure === 'timeout') {
    return {
      errorMessage: `Function timed out after ${timeoutS} seconds`,
      errorType: 'FunctionTimeoutError',
    };
  }
  if (outcome.failure === 'crash') {
    return {
      errorMessage: `Process exited unexpectedly: ${outcome.error.message}`,
      errorType: 'ProcessExitedUnexpected',
    };
  }
  return {
    errorMessage: outcome.error.message,
    errorType: outcome.error.name ?? 'Error',
    stackTrace:
      outcome.error.stack
        ?.split('\n')
        .slice(1)
        .map((line) => line.trim()) ?? [],
  };
}

/** Routes an FC 3.0 API request (every path under `/2023-03-30/`). */
export async function routeFc(
  cloud: Cloud,
  req: CloudRequest,
  path: string,
  query: URLSearchParams,
): Promise<CloudReply> {
  const requestId = randomUUID();
  try {
    return await route(cloud, req, path, query, requestId);
  } catch (error) {
    if (error instanceof ZipError) {
      const [status, code] = ERRORS[error.kind];
      return reply(status, { Code: code, Message: error.message, RequestId: requestId }, requestId);
    }
    if (error instanceof CloudError) {
      // The cloud's own errors (an injected outage) in FC's shape.
      return reply(
        error.status,
        { Code: error.code, Message: error.message, RequestId: requestId },
        requestId,
      );
    }
    throw error;
  }
}

async function route(
  cloud: Cloud,
  req: CloudRequest,
  path: string,
  query: URLSearchParams,
  requestId: string,
): Promise<CloudReply> {
  const { method } = req;
  const zips = cloud.zips;
  if (FUNCTIONS.test(path)) {
    if (method === 'GET') {
      return reply(200, { functions: zips.list('fc').map(functionOf) }, requestId);
    }
    if (method === 'POST') {
      const body = parseBody(createBody, await readBody(req, CODE_REQUEST_LIMIT));
      if (!NAME.test(body.functionName)) {
        throw invalid(
          `functionName ${body.functionName} must start with a letter or _ and hold only letters, digits, _ and - (at most 128)`,
        );
      }
      if (body.runtime === undefined || body.handler === undefined) {
        throw invalid('runtime and handler are required');
      }
      if (body.code === undefined) throw invalid('code is required');
      const config: ZipConfig = {
        runtime: body.runtime,
        handler: body.handler,
        memoryMb: 512,
        timeoutS: 3,
        env: {},
        description: '',
        role: '',
        ...checkConfig(cloud, body),
      };
      const fn = await zips.create('fc', body.functionName, {
        config,
        zip: zipOf(body.code),
        publish: false,
        region: REGION,
      });
      return reply(200, functionOf(fn), requestId);
    }
  }
  const match = FUNCTION.exec(path);
  if (match?.[1] !== undefined) {
    const name = decodeURIComponent(match[1]);
    const qualifier = query.get('qualifier') ?? undefined;
    if (match[2] === '/invocations' && method === 'POST') {
      return invoke(cloud, req, name, qualifier);
    }
    if (match[2] === undefined) {
      if (method === 'GET') return reply(200, functionOf(zips.get('fc', name)), requestId);
      if (method === 'DELETE') {
        zips.remove('fc', name);
        return { status: 204, headers: { 'x-fc-request-id': requestId }, body: '' };
      }
      if (method === 'PUT') {
        const body = parseBody(updateBody, await readBody(req, CODE_REQUEST_LIMIT));
        const patch = checkConfig(cloud, body);
        zips.get('fc', name);
        let fn = Object.keys(patch).length > 0 ? zips.updateConfig('fc', name, patch) : undefined;
        if (body.code !== undefined)
          fn = await zips.updateCode('fc', name, zipOf(body.code), false);
        return reply(200, functionOf(fn ?? zips.get('fc', name)), requestId);
      }
    }
  }
  return reply(
    400,
    {
      Code: 'PathNotSupported',
      Message: `'${path}' against '${method}' is not supported by the local cloud (see packages/local-cloud/README.md)`,
      RequestId: requestId,
    },
    requestId,
  );
}

async function invoke(
  cloud: Cloud,
  req: CloudRequest,
  name: string,
  qualifier: string | undefined,
): Promise<CloudReply> {
  const body = await readBody(req, INVOKE_REQUEST_LIMIT);
  const type = String(req.headers['x-fc-invocation-type'] ?? 'Sync');
  if (type === 'Async') {
    const accepted = cloud.acceptZipEvent('fc', name, qualifier, body);
    return { status: 202, headers: { 'x-fc-request-id': accepted.requestId }, body: '' };
  }
  if (type !== 'Sync') {
    throw invalid(`x-fc-invocation-type ${type} is not supported; use Sync or Async`);
  }
  const run = await cloud.invokeZipSync('fc', name, qualifier, body);
  const headers = { 'x-fc-request-id': run.requestId };
  const { outcome } = run;
  if (outcome.ok) {
    const bytes =
      outcome.base64 === true
        ? Buffer.from(String(outcome.result), 'base64')
        : Buffer.from(typeof outcome.result === 'string' ? outcome.result : '', 'utf8');
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream', ...headers },
      body: bytes,
    };
  }
  return {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'x-fc-error-type': 'UnhandledInvocationError',
      ...headers,
    },
    body: JSON.stringify(functionError(outcome, run.timeoutS)),
  };
}
