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
    };

export interface WorkerError {
  message: string;
  stack?: string;
  code?: string;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'trace'; flushId: number; events: TraceEvent[] }
  | { type: 'done'; id: number; ok: true; result: unknown }
  | { type: 'done'; id: number; ok: false; error: WorkerError };
