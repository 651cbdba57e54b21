import type { FunctionContext, FunctionIR } from '@jointflow/ir';
import type { DeliveryInfo, FaultPoint, Invocation, TraceEvent } from '@jointflow/runtime';

/** IPC messages between a cloud process (the host) and one of its worker processes. */

export type HostMessage =
  | {
      type: 'init';
      cloud: string;
      /** Cloud id → base URL of every local cloud, this one included. */
      peers: Record<string, string>;
      deployment: string;
      fn: FunctionIR;
      context: FunctionContext;
    }
  | {
      type: 'invoke';
      id: number;
      invocation: Invocation;
      delivery: DeliveryInfo;
      /** Injected fault: the worker exits for real when the runtime reaches this point. */
      crashAt?: FaultPoint;
    }
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
  stack?: string;
  code?: string;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'trace'; flushId: number; events: TraceEvent[] }
  | PortCall
  | { type: 'done'; id: number; ok: true; result: unknown }
  | { type: 'done'; id: number; ok: false; error: WorkerError };
