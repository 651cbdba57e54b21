import type { FunctionContext, FunctionIR } from '@jointflow/ir';
import type { DeliveryInfo, FaultPoint, Invocation, TraceEvent } from '@jointflow/runtime';

/** IPC messages between a cloud process (the host) and one of its worker processes. */

/**
 * The exit code of a zip sandbox that crashes at an injected fault point (`crashAt`): a zip
 * function's process hosts one sandbox, so its crash is a real exit. A Jointflow worker instead
 * abandons the one invocation and reports `crashed` (its process serves other sandboxes).
 */
export const INJECTED_CRASH_EXIT = 97;

/**
 * What a worker process runs, sent once after it starts: a Jointflow function (the bundle of the
 * user's code, the runtime and workerEntry.ts) or an uploaded zip's handler (zipSandbox.ts).
 */
export type WorkerInit =
  | {
      program: 'jointflow';
      cloud: string;
      /** Cloud id → base URL of every local cloud, this one included. */
      peers: Record<string, string>;
      deployment: string;
      fn: FunctionIR;
      context: FunctionContext;
    }
  | {
      program: 'zip';
      api: ZipApi;
      /** The unpacked zip (the sandbox's working directory, Lambda's `LAMBDA_TASK_ROOT`). */
      codeDir: string;
      /** `file.export`, e.g. `index.handler` or `dist/app.main`. */
      handler: string;
      functionName: string;
      /** `$LATEST` or a published version. */
      version: string;
      memoryMb: number;
      timeoutMs: number;
      region: string;
      arn: string;
    };

/** Which cloud API a zip function was created through: it decides the event and context shapes. */
export type ZipApi = 'lambda' | 'fc';

/** A zip function's event as IPC carries it: Lambda's parsed JSON, or FC's raw bytes (base64). */
export type ZipEvent = { json: unknown } | { base64: string };

export type InvokeMessage = {
  type: 'invoke';
  id: number;
  delivery: DeliveryInfo;
  /**
   * Injected fault: when the runtime reaches this point the invocation's sandbox crashes (a
   * Jointflow worker abandons that invocation and reports `crashed`; a zip sandbox exits).
   */
  crashAt?: FaultPoint;
} & (
  | { program: 'jointflow'; invocation: Invocation }
  | { program: 'zip'; event: ZipEvent; requestId: string }
);

export type HostMessage =
  | ({ type: 'init' } & WorkerInit)
  /**
   * The cloud's peers changed (set after its start, or a peer restarted elsewhere): a Jointflow
   * worker started before reaches them from now on. A cloud restarted by its supervisor
   * dispatches its persisted queue at once, before its peers arrive.
   */
  | { type: 'peers'; peers: Record<string, string> }
  | InvokeMessage
  | ({ type: 'portReply'; id: number } & PortAnswer);

/**
 * A worker's call to its own cloud's API over IPC instead of loopback HTTP: the same request
 * and answer, handled by the same routes (see server.ts `createCloudApi`). The channel carries
 * JSON, so a binary body (a blob) travels as base64 with `base64: true`.
 */
export interface PortCall {
  type: 'port';
  id: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  base64?: true;
}

export interface PortAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  base64?: true;
}

/** A port body as IPC carries it: text as is, bytes as base64. */
export function encodePortBody(body: Uint8Array | string): { body: string; base64?: true } {
  if (typeof body === 'string') return { body };
  return {
    body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
    base64: true,
  };
}

export function decodePortBody(message: { body?: string; base64?: true }): Buffer {
  if (message.body === undefined) return Buffer.alloc(0);
  return Buffer.from(message.body, message.base64 ? 'base64' : 'utf8');
}

export interface WorkerError {
  message: string;
  /** The error's name or class (Lambda's `errorType`). */
  name?: string;
  stack?: string;
  code?: string;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'trace'; flushId: number; events: TraceEvent[] }
  | PortCall
  /**
   * The invocation reached its injected crash point: its sandbox is dead (it never answers, and
   * nothing it does afterwards leaves the process), the process and its other sandboxes live on.
   */
  | { type: 'crashed'; id: number; point: FaultPoint }
  /** `base64`: the result is bytes (an FC handler returned a Buffer), base64-encoded. */
  | { type: 'done'; id: number; ok: true; result: unknown; base64?: true }
  | { type: 'done'; id: number; ok: false; error: WorkerError };
