import type { Continuation, FunctionContext, FunctionIR, WorkflowIR } from '@jointflow/ir';
import { instanceKey } from '@jointflow/ir';
import { toDataRef } from './dataRef';
import type { DataRef, DeliveryInfo, Invocation, KeyValueStore, RuntimePorts } from './ports';
import { InvokeError } from './ports';
import type { StepTrace } from './stepTrace';
import { tickHlc } from './traceEvents';

/** Outputs up to this size are stored inline in the checkpoint; larger ones as a blob. */
export const RECORD_INLINE_LIMIT_BYTES = 64 * 1024;
/**
 * Slot values up to this size sit inline in a join's or trigger's slot record; larger ones as
 * blobs, so a wide record stays small (the reader resolves the blobs, 64 at a time).
 */
export const SLOT_INLINE_LIMIT_BYTES = 16 * 1024;
/** Invokes in flight at once from one invocation (a big map fans out in waves). */
export const INVOKE_CONCURRENCY = 64;

/**
 * What every part of the protocol shares during one delivery of one invocation: who we are,
 * what we were asked, and the ports. The parts (successors, joins, triggers, `ctx.once`,
 * results) are functions of it, so each can be read alone.
 */
export interface StepEnv {
  readonly context: FunctionContext;
  readonly fn: FunctionIR;
  readonly deployment: string;
  readonly ports: RuntimePorts;
  /** The whole IR when the host gave it: locates joins the function's own config does not. */
  readonly workflow: WorkflowIR | undefined;
  readonly invocation: Invocation;
  readonly delivery: DeliveryInfo;
  readonly execution: string;
  /** This instance's key, e.g. `score/map:resize=2`. */
  readonly instance: string;
  /** The store holding this function's checkpoints. */
  readonly home: KeyValueStore;
  readonly trace: StepTrace;
}

/** Invokes on the primary cloud, then each replica in order while the cloud refuses. */
export async function invokeWithFailover(
  env: StepEnv,
  clouds: readonly string[],
  partial: Pick<Invocation, 'fn' | 'scope' | 'input'> & Partial<Invocation>,
): Promise<void> {
  const invocation: Invocation = {
    execution: env.execution,
    deployment: env.invocation.deployment,
    irVersion: env.context.irVersion,
    ...partial,
    hlc: tickHlc(env.ports.now(), env.ports.cloud),
  };
  let lastError: unknown;
  for (const [i, cloud] of clouds.entries()) {
    try {
      await env.ports.invoker.invokeAsync(cloud, invocation);
      return;
    } catch (error) {
      if (!(error instanceof InvokeError)) throw error;
      lastError = error;
      const next = clouds[i + 1];
      if (next !== undefined) {
        const target = instanceKey(invocation.fn, invocation.scope);
        env.trace.emit(
          'invoke.failover',
          env.delivery.attempt,
          { from: cloud, to: next, output: { target } },
          `${env.delivery.attempt}.${target}.${next}`,
        );
      }
    }
  }
  throw lastError;
}

/**
 * The DataRef a continuation carries, sized against the edge's inline limit (and the slot limit
 * when it goes into a slot record). Blobs go to this function's home store.
 */
export function transferRef(
  env: StepEnv,
  value: unknown,
  c: Pick<Continuation, 'transfer' | 'inlineLimitBytes'>,
  options: { serialized?: string; intoSlot?: boolean } = {},
): Promise<DataRef> {
  return toDataRef(value, {
    ...(options.serialized === undefined ? {} : { serialized: options.serialized }),
    mode: c.transfer,
    limitBytes: options.intoSlot
      ? Math.min(c.inlineLimitBytes, SLOT_INLINE_LIMIT_BYTES)
      : c.inlineLimitBytes,
    cloud: env.fn.homeStore,
    blobs: env.ports.blobs(env.fn.homeStore),
  });
}

/** Runs `run` over `items` with at most `limit` in flight. */
export async function boundedAll<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  });
  await Promise.all(workers);
}
