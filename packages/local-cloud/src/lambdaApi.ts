import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Cloud, CloudError } from './cloud';
import type { CloudReply, CloudRequest } from './server';
import type { RunOutcome } from './workerPool';
import {
  type ZipConfig,
  ZipError,
  type ZipErrorKind,
  type ZipFunction,
  type ZipVersion,
} from './zipFunctions';
import { LAMBDA_RESERVED_VARIABLES } from './zipInvocation';

/**
 * The subset of AWS Lambda's HTTP API (2015-03-31) that @aws-sdk/client-lambda calls to deploy
 * and invoke a zip: CreateFunction, GetFunction, GetFunctionConfiguration, UpdateFunctionCode,
 * UpdateFunctionConfiguration, PublishVersion, ListFunctions, DeleteFunction and Invoke. Errors
 * use Lambda's wire format (status, `x-amzn-ErrorType`, `{Type, message}`), so the SDK throws the
 * exception classes a shim catches on AWS. README.md lists what is and is not implemented.
 */

/** Lambda's limit on a CreateFunction / UpdateFunctionCode request (the base64 zip inside JSON). */
const CODE_REQUEST_LIMIT = 70_167_211;
const CONFIG_REQUEST_LIMIT = 1024 * 1024;
const INVOKE_REQUEST_LIMIT = 8 * 1024 * 1024;
const ENV_LIMIT_BYTES = 4096;
const RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x'];
const REDACTED = '<redacted>';
const ACCOUNT = '000000000000';

const FUNCTIONS = /^\/2015-03-31\/functions\/?$/;
const FUNCTION =
  /^\/2015-03-31\/functions\/([^/]+)(\/configuration|\/code|\/versions|\/invocations)?$/;

const environment = z.object({ Variables: z.record(z.string(), z.string()).optional() }).optional();
const configFields = {
  Role: z.string().min(1).optional(),
  Runtime: z.string().optional(),
  Handler: z.string().min(1).max(128).optional(),
  MemorySize: z.number().int().optional(),
  Timeout: z.number().int().optional(),
  Environment: environment,
  Description: z.string().max(256).optional(),
};
const createBody = z.looseObject({
  FunctionName: z.string().min(1),
  ...configFields,
  Role: z.string().min(1, 'Role is required'),
  Code: z.looseObject({
    ZipFile: z.string().optional(),
    S3Bucket: z.string().optional(),
    ImageUri: z.string().optional(),
  }),
  PackageType: z.string().optional(),
  Publish: z.boolean().optional(),
});
const updateCodeBody = z.looseObject({
  ZipFile: z.string().optional(),
  S3Bucket: z.string().optional(),
  ImageUri: z.string().optional(),
  Publish: z.boolean().optional(),
  DryRun: z.boolean().optional(),
});
const updateConfigBody = z.looseObject(configFields);

function reply(status: number, body: unknown, headers: Record<string, string> = {}): CloudReply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** Lambda's error format: the SDK reads the code from `x-amzn-ErrorType`, the text from `message`. */
function lambdaError(
  status: number,
  code: string,
  message: string,
  extra: object = {},
): CloudReply {
  return reply(
    status,
    { Type: status < 500 ? 'User' : 'Service', message, ...extra },
    {
      'x-amzn-errortype': code,
    },
  );
}

const ERRORS: Record<ZipErrorKind, [number, string]> = {
  'not-found': [404, 'ResourceNotFoundException'],
  exists: [409, 'ResourceConflictException'],
  invalid: [400, 'InvalidParameterValueException'],
  'too-large': [413, 'RequestEntityTooLargeException'],
  'update-in-progress': [409, 'ResourceConflictException'],
  'not-ready': [409, 'ResourceConflictException'],
  // Lambda's modelled error for an Invoke payload over the limit.
  'payload-too-large': [413, 'RequestTooLargeException'],
  'bad-payload': [400, 'InvalidRequestContentException'],
  throttled: [429, 'TooManyRequestsException'],
};

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

async function readBody(req: CloudRequest, limit: number, operation: string): Promise<Buffer> {
  try {
    return await req.readBody(limit);
  } catch (error) {
    if (error instanceof CloudError && error.status === 413) {
      throw new ZipError(
        'too-large',
        `Request must be smaller than ${limit} bytes for the ${operation} operation`,
      );
    }
    throw error;
  }
}

/** `name`, `name:qualifier`, `123456789012:function:name[:q]` or a full ARN → name and qualifier. */
function functionRef(raw: string): { name: string; qualifier?: string } {
  const text = decodeURIComponent(raw);
  const match =
    /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:)?(?:\d{12}:)?(?:function:)?([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9$_-]+))?$/.exec(
      text,
    );
  if (!match?.[1]) {
    throw invalid(
      `1 validation error detected: Value '${text}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:aws:lambda:)?([a-z]{2}-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  return match[2] !== undefined ? { name: match[1], qualifier: match[2] } : { name: match[1] };
}

/** The region the SDK signed for (`Credential=<key>/<date>/<region>/lambda/aws4_request`). */
function signedRegion(req: CloudRequest): string {
  const auth = req.headers.authorization;
  const match =
    typeof auth === 'string' ? /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(auth) : null;
  return match?.[1] ?? 'us-east-1';
}

function checkConfig(cloud: Cloud, fields: z.infer<typeof updateConfigBody>): Partial<ZipConfig> {
  const { limits } = cloud.profile;
  const patch: Partial<ZipConfig> = {};
  if (fields.Runtime !== undefined) {
    if (!RUNTIMES.includes(fields.Runtime)) {
      throw invalid(
        `The runtime parameter of ${fields.Runtime} is not supported by the local cloud; use one of ${RUNTIMES.join(', ')} (all run on this machine's Node.js)`,
      );
    }
    patch.runtime = fields.Runtime;
  }
  if (fields.Handler !== undefined) patch.handler = fields.Handler;
  if (fields.MemorySize !== undefined) {
    const max = Math.min(10_240, limits.maxMemoryMb);
    if (fields.MemorySize < 128 || fields.MemorySize > max) {
      throw invalid(`MemorySize must be between 128 and ${max} MB (got ${fields.MemorySize})`);
    }
    patch.memoryMb = fields.MemorySize;
  }
  if (fields.Timeout !== undefined) {
    const max = Math.floor(Math.min(900_000, limits.maxTimeoutMs) / 1000);
    if (fields.Timeout < 1 || fields.Timeout > max) {
      throw invalid(`Timeout must be between 1 and ${max} seconds (got ${fields.Timeout})`);
    }
    patch.timeoutS = fields.Timeout;
  }
  if (fields.Environment !== undefined) {
    const variables = fields.Environment.Variables ?? {};
    const reserved = Object.keys(variables).filter((k) =>
      (LAMBDA_RESERVED_VARIABLES as readonly string[]).includes(k),
    );
    if (reserved.length > 0) {
      throw invalid(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
      );
    }
    const badName = Object.keys(variables).find((k) => !/^[a-zA-Z]\w+$/.test(k));
    if (badName !== undefined) {
      throw invalid(`the environment variable name ${badName} must match [a-zA-Z]([a-zA-Z0-9_])+`);
    }
    const size = Buffer.byteLength(JSON.stringify(variables));
    if (size > ENV_LIMIT_BYTES) {
      throw invalid(
        `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${size} bytes`,
      );
    }
    patch.env = variables;
  }
  if (fields.Description !== undefined) patch.description = fields.Description;
  if (fields.Role !== undefined) patch.role = fields.Role;
  return patch;
}

function zipOf(code: {
  ZipFile?: string | undefined;
  S3Bucket?: string | undefined;
  ImageUri?: string | undefined;
}): Buffer {
  if (code.S3Bucket !== undefined || code.ImageUri !== undefined) {
    throw invalid(
      'the local cloud takes code only as ZipFile (base64 in the request); S3Bucket and ImageUri are not supported',
    );
  }
  if (code.ZipFile === undefined) throw invalid('Code.ZipFile is required');
  // The size limit (MAX_ZIP_BYTES, 50 MB as Lambda's direct upload) is the registry's check.
  return Buffer.from(code.ZipFile, 'base64');
}

/** Lambda's `LastModified` format: `2024-05-01T10:00:00.000+0000`. */
const lambdaTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

/** The FunctionConfiguration of `$LATEST` or of a published version; variable values redacted. */
function configurationOf(fn: ZipFunction, version?: ZipVersion): Record<string, unknown> {
  const config = version?.config ?? fn.config;
  const code = version?.code ?? fn.pendingCode ?? fn.code;
  const arn = `arn:aws:lambda:${fn.region}:${ACCOUNT}:function:${fn.name}`;
  const names = Object.keys(config.env);
  const out: Record<string, unknown> = {
    FunctionName: fn.name,
    FunctionArn: version ? `${arn}:${version.version}` : arn,
    Runtime: config.runtime,
    Role: config.role,
    Handler: config.handler,
    CodeSize: code.size,
    Description: config.description,
    Timeout: config.timeoutS,
    MemorySize: config.memoryMb,
    LastModified: lambdaTime(version?.at ?? fn.lastModified),
    CodeSha256: Buffer.from(code.sha256, 'hex').toString('base64'),
    Version: version?.version ?? '$LATEST',
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: `${fn.name}-${fn.revision}-${fn.versions.length}`,
    State: fn.state,
    LastUpdateStatus: version ? 'Successful' : fn.lastUpdateStatus,
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
  };
  if (names.length > 0) {
    // Never the values: the ingest secret travels here (README: "Environment values are never returned").
    out.Environment = { Variables: Object.fromEntries(names.map((k) => [k, REDACTED])) };
  }
  if (fn.stateReason !== undefined) out.StateReason = fn.stateReason;
  if (fn.stateReasonCode !== undefined) out.StateReasonCode = fn.stateReasonCode;
  if (!version && fn.lastUpdateStatusReason !== undefined)
    out.LastUpdateStatusReason = fn.lastUpdateStatusReason;
  if (!version && fn.lastUpdateStatusReasonCode !== undefined)
    out.LastUpdateStatusReasonCode = fn.lastUpdateStatusReasonCode;
  return out;
}

function versionOf(fn: ZipFunction, qualifier: string | undefined): ZipVersion | undefined {
  if (qualifier === undefined || qualifier === '$LATEST') return undefined;
  const version = fn.versions.find((v) => v.version === qualifier);
  if (version === undefined)
    throw new ZipError('not-found', `Function not found: ${fn.name}:${qualifier}`);
  return version;
}

/** Lambda's Node.js error payload (`errorType`, `errorMessage`, `trace`). */
function functionError(outcome: RunOutcome & { ok: false }, requestId: string, timeoutS: number) {
  if (outcome.failure === 'timeout') {
    return {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutS.toFixed(2)} seconds`,
    };
  }
  if (outcome.failure === 'crash') {
    return {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${outcome.error.message}`,
    };
  }
  return {
    errorType: outcome.error.name ?? 'Error',
    errorMessage: outcome.error.message,
    trace: outcome.error.stack?.split('\n') ?? [],
  };
}

/**
 * Routes a Lambda API request. Returns undefined when it is not one of these routes, or an
 * Invoke of a function that is not a Lambda zip function (server.ts then runs its own Invoke
 * route for Jointflow functions).
 */
export async function routeLambda(
  cloud: Cloud,
  req: CloudRequest,
  path: string,
  query: URLSearchParams,
): Promise<CloudReply | undefined> {
  try {
    return await route(cloud, req, path, query);
  } catch (error) {
    if (error instanceof ZipError) {
      const [status, code] = ERRORS[error.kind];
      return lambdaError(
        status,
        code,
        error.message,
        error.kind === 'throttled' ? { Reason: 'ConcurrentInvocationLimitExceeded' } : {},
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
): Promise<CloudReply | undefined> {
  const { method } = req;
  const zips = cloud.zips;
  if (FUNCTIONS.test(path)) {
    if (method === 'GET') {
      return reply(200, { Functions: zips.list('lambda').map((fn) => configurationOf(fn)) });
    }
    if (method !== 'POST') return undefined;
    const body = parseBody(createBody, await readBody(req, CODE_REQUEST_LIMIT, 'CreateFunction'));
    if (body.PackageType !== undefined && body.PackageType !== 'Zip') {
      throw invalid(`PackageType ${body.PackageType} is not supported by the local cloud; use Zip`);
    }
    const ref = functionRef(body.FunctionName);
    if (body.Runtime === undefined || body.Handler === undefined) {
      throw invalid('Runtime and Handler are required for a function with a .zip file archive');
    }
    const patch = checkConfig(cloud, body);
    const config: ZipConfig = {
      runtime: body.Runtime,
      handler: body.Handler,
      memoryMb: 128,
      timeoutS: 3,
      env: {},
      description: '',
      role: body.Role,
      ...patch,
    };
    const zip = zipOf(body.Code);
    const fn = await zips.create('lambda', ref.name, {
      config,
      zip,
      publish: body.Publish === true,
      region: signedRegion(req),
    });
    return reply(201, configurationOf(fn, body.Publish ? fn.versions.at(-1) : undefined));
  }
  const match = FUNCTION.exec(path);
  if (!match?.[1]) return undefined;
  const ref = functionRef(match[1]);
  const qualifier = query.get('Qualifier') ?? ref.qualifier;
  const sub = match[2];
  if (sub === '/invocations') {
    if (method !== 'POST') return undefined;
    // Not a Lambda zip function: server.ts's Invoke route (Jointflow functions) answers.
    if (zips.find(ref.name)?.api !== 'lambda') return undefined;
    return invoke(cloud, req, ref.name, qualifier);
  }
  if (sub === undefined && method === 'GET') {
    const fn = zips.get('lambda', ref.name);
    return reply(200, {
      Configuration: configurationOf(fn, versionOf(fn, qualifier)),
      Code: { RepositoryType: 'S3' },
    });
  }
  if (sub === '/configuration' && method === 'GET') {
    const fn = zips.get('lambda', ref.name);
    return reply(200, configurationOf(fn, versionOf(fn, qualifier)));
  }
  if (sub === undefined && method === 'DELETE') {
    if (qualifier !== undefined && qualifier !== '$LATEST') {
      throw invalid('the local cloud deletes whole functions only; drop the Qualifier');
    }
    zips.remove('lambda', ref.name);
    return { status: 204, headers: { 'x-amzn-requestid': randomUUID() }, body: '' };
  }
  if (sub === '/code' && method === 'PUT') {
    const body = parseBody(
      updateCodeBody,
      await readBody(req, CODE_REQUEST_LIMIT, 'UpdateFunctionCode'),
    );
    const zip = zipOf(body);
    const current = zips.get('lambda', ref.name);
    if (body.DryRun) return reply(200, configurationOf(current));
    const fn = await zips.updateCode('lambda', ref.name, zip, body.Publish === true);
    return reply(200, configurationOf(fn, body.Publish ? fn.versions.at(-1) : undefined));
  }
  if (sub === '/configuration' && method === 'PUT') {
    const body = parseBody(
      updateConfigBody,
      await readBody(req, CONFIG_REQUEST_LIMIT, 'UpdateFunctionConfiguration'),
    );
    zips.get('lambda', ref.name);
    const fn = zips.updateConfig('lambda', ref.name, checkConfig(cloud, body));
    return reply(200, configurationOf(fn));
  }
  if (sub === '/versions' && method === 'POST') {
    await readBody(req, CONFIG_REQUEST_LIMIT, 'PublishVersion');
    const version = zips.publish('lambda', ref.name);
    return reply(201, configurationOf(zips.get('lambda', ref.name), version));
  }
  return undefined;
}

async function invoke(
  cloud: Cloud,
  req: CloudRequest,
  name: string,
  qualifier: string | undefined,
): Promise<CloudReply> {
  const body = await readBody(req, INVOKE_REQUEST_LIMIT, 'Invoke').catch((error: unknown) => {
    // Lambda's modelled error for an Invoke payload over the limit, whatever the limit was.
    if (error instanceof ZipError && error.kind === 'too-large')
      throw new ZipError('payload-too-large', error.message);
    throw error;
  });
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  if (type === 'Event') {
    const { requestId } = cloud.acceptZipEvent('lambda', name, qualifier, body);
    return { status: 202, headers: { 'x-amzn-requestid': requestId }, body: '' };
  }
  if (type === 'DryRun') {
    cloud.zips.target('lambda', name, qualifier);
    return { status: 204, headers: { 'x-amzn-requestid': randomUUID() }, body: '' };
  }
  if (type !== 'RequestResponse') {
    throw invalid(`invocation type ${type} is not supported; use Event, RequestResponse or DryRun`);
  }
  const { outcome, version, requestId, timeoutS } = await cloud.invokeZipSync(
    'lambda',
    name,
    qualifier,
    body,
  );
  const headers = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': version };
  if (outcome.ok) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(outcome.result ?? null),
    };
  }
  return {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'x-amz-function-error': 'Unhandled',
      ...headers,
    },
    body: JSON.stringify(functionError(outcome, requestId, timeoutS)),
  };
}
