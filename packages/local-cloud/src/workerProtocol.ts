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
 * and answer, handled by the same routes (see server.ts `createCloudApi`).
 */
export interface PortCall {
  type: 'port';
  id: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

export interface PortAnswer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
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
