import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FaultPoint } from '@jointflow/runtime';
import {
  type HostMessage,
  INJECTED_CRASH_EXIT,
  type WorkerError,
  type WorkerInit,
  type WorkerMessage,
} from './workerProtocol';

/**
 * The program inside a zip function's sandbox (bundled once per cloud by bundler.ts and run with
 * plain `node`, its working directory the unpacked zip): it imports the module named by the
 * function's `Handler`, then calls `handler(event, context)` per invocation the way Lambda's and
 * FC 3.0's Node.js runtimes do. Loading the module is part of the cold start, as on the clouds'
 * init phase; a module that fails to load fails every invocation with the reason.
 */

type ZipInit = Extract<WorkerInit, { program: 'zip' }>;
type Handler = (
  event: unknown,
  context: object,
  callback: (error: unknown, result?: unknown) => void,
) => unknown;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function toWorkerError(error: unknown): WorkerError {
  if (error instanceof Error) {
    const out: WorkerError = { message: error.message, name: error.name };
    if (error.stack !== undefined) out.stack = error.stack;
    return out;
  }
  // Lambda reports a thrown non-Error by its JSON form.
  return {
    message: typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)),
    name: 'Error',
  };
}

class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** `dist/app.main` → `<codeDir>/dist/app.{mjs,js,cjs}` and the export `main`. */
async function loadHandler(init: ZipInit): Promise<Handler> {
  const dot = init.handler.lastIndexOf('.');
  if (dot <= 0 || dot === init.handler.length - 1) {
    throw new RuntimeError(
      'Runtime.MalformedHandlerName',
      `Bad handler ${init.handler}: write it as <file>.<export>, e.g. index.handler`,
    );
  }
  const modulePath = init.handler.slice(0, dot);
  const exportName = init.handler.slice(dot + 1);
  const file = ['.mjs', '.js', '.cjs']
    .map((ext) => join(init.codeDir, `${modulePath}${ext}`))
    .find((candidate) => existsSync(candidate));
  if (file === undefined) {
    throw new RuntimeError(
      'Runtime.ImportModuleError',
      `Error: Cannot find module '${modulePath}': the zip has no ${modulePath}.mjs, ${modulePath}.js or ${modulePath}.cjs`,
    );
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    throw new RuntimeError('Runtime.ImportModuleError', `Error importing ${file}: ${reason}`);
  }
  // A CommonJS module's exports arrive as `default` (and, when Node can tell, as named exports).
  const fromDefault = loaded.default as Record<string, unknown> | undefined;
  const exported =
    loaded[exportName] ??
    (fromDefault !== null && typeof fromDefault === 'object' ? fromDefault[exportName] : undefined);
  if (typeof exported !== 'function') {
    throw new RuntimeError(
      'Runtime.HandlerNotFound',
      `${modulePath}.${exportName} is undefined or not exported`,
    );
  }
  return exported as Handler;
}

/** Calls the handler like the Node.js runtimes: awaits a returned promise, else waits for the callback. */
function callHandler(handler: Handler, event: unknown, context: object): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const callback = (error: unknown, result?: unknown) => {
      if (error !== null && error !== undefined) reject(error);
      else resolve(result);
    };
    let returned: unknown;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      reject(error);
      return;
    }
    if (returned !== null && typeof returned === 'object' && 'then' in returned) {
      (returned as Promise<unknown>).then(resolve, reject);
    } else if (handler.length < 3) {
      resolve(returned);
    }
  });
}

function contextFor(
  init: ZipInit,
  requestId: string,
  deadline: number,
  faultPoint: (point: FaultPoint, instance: string) => void,
): object {
  if (init.api === 'lambda') {
    return {
      awsRequestId: requestId,
      functionName: init.functionName,
      functionVersion: init.version,
      memoryLimitInMB: String(init.memoryMb),
      invokedFunctionArn: init.version === '$LATEST' ? init.arn : `${init.arn}:${init.version}`,
      logGroupName: `/aws/lambda/${init.functionName}`,
      logStreamName: `local/${process.pid}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      jointflowFaultPoint: faultPoint,
    };
  }
  return {
    requestId,
    region: init.region,
    accountId: '000000000000',
    function: {
      name: init.functionName,
      handler: init.handler,
      memory: init.memoryMb,
      memorySize: init.memoryMb,
      timeout: Math.round(init.timeoutMs / 1000),
    },
    // Placeholders: the stand-in stores accept any credentials (FC hands the role's STS keys here).
    credentials: {
      accessKeyId: 'LOCALPLACEHOLDERKEY',
      accessKeySecret: 'local-placeholder-secret',
      securityToken: '',
    },
    logger: console,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    jointflowFaultPoint: faultPoint,
  };
}

/** The result as the cloud hands it back: Lambda's JSON value; FC's bytes or text. */
function doneWith(init: ZipInit, id: number, result: unknown): WorkerMessage {
  if (init.api === 'lambda') {
    // Lambda serializes the result with JSON.stringify: undefined becomes null.
    const text = JSON.stringify(result);
    return { type: 'done', id, ok: true, result: text === undefined ? null : JSON.parse(text) };
  }
  if (Buffer.isBuffer(result) || result instanceof Uint8Array) {
    return {
      type: 'done',
      id,
      ok: true,
      result: Buffer.from(result).toString('base64'),
      base64: true,
    };
  }
  if (typeof result === 'string') return { type: 'done', id, ok: true, result };
  return { type: 'done', id, ok: true, result: JSON.stringify(result) ?? '' };
}

export function startZipSandbox(): void {
  let init: ZipInit | undefined;
  let handler: Promise<Handler> | undefined;
  let crashAt: FaultPoint | undefined;

  // The host's injected crash: the Jointflow entry in the zip passes this to the runtime as its
  // `faultPoint` port, so the process dies for real exactly where today's workers die.
  const faultPoint = (point: FaultPoint, _instance: string) => {
    if (crashAt === point) process.exit(INJECTED_CRASH_EXIT);
  };

  process.on('message', (raw: HostMessage) => {
    if (raw.type === 'init') {
      if (raw.program !== 'zip') return;
      init = raw;
      handler = loadHandler(raw);
      handler.then(
        () => send({ type: 'ready' }),
        // Ready anyway: each invocation then fails with why the module did not load.
        () => send({ type: 'ready' }),
      );
      return;
    }
    if (raw.type !== 'invoke') return;
    const current = init;
    if (raw.program !== 'zip' || current === undefined || handler === undefined) {
      send({ type: 'done', id: raw.id, ok: false, error: { message: 'sandbox not initialised' } });
      return;
    }
    crashAt = raw.crashAt;
    const deadline = Date.now() + current.timeoutMs;
    const event = 'json' in raw.event ? raw.event.json : Buffer.from(raw.event.base64, 'base64');
    const context = contextFor(current, raw.requestId, deadline, faultPoint);
    handler
      .then((fn) => callHandler(fn, event, context))
      // A result JSON cannot carry (a cycle, a BigInt) fails the invocation, as on Lambda.
      .then((result) => doneWith(current, raw.id, result))
      .then(send, (error: unknown) =>
        send({ type: 'done', id: raw.id, ok: false, error: toWorkerError(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}
