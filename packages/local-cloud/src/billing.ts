import type { CloudProfile } from '@jointflow/ir';
import { instanceKey } from '@jointflow/ir';
import type { Invocation, TraceEvent } from '@jointflow/runtime';
import type { ColdStarts } from './coldStarts';
import { billInvocation, type Metering } from './metering';
import type { TraceOutbox } from './traceOutbox';
import type { RunOutcome } from './workerPool';
import type { ZipTarget } from './zipFunctions';

/** What billing needs to know of the function that ran (bundled or zip). */
export interface BilledFunction {
  name: string;
  memoryMb: number;
  functionClass: string;
  /** Where its `invocation.billed` trace events go, when it reports to an ingest. */
  trace?: { url: string; secret: string };
}

/** How long a queued run waited and how long `pool.run` took around the handler. */
export interface RunTiming {
  queuedMs: number;
  wallMs: number;
}

export interface Billing {
  /**
   * Meters one run and, when the function reports to an ingest and the run was a Jointflow
   * invocation, emits its `invocation.billed` trace event (zip functions too). `delivery` tells
   * the deliveries of one attempt apart (the queue row; 0 for a synchronous invoke).
   */
  billRun(
    fn: BilledFunction,
    invocation: Invocation | undefined,
    outcome: RunOutcome,
    attempt: number,
    delivery: number,
    timing?: RunTiming,
  ): void;
}

/** The cloud's billing: metering totals, the cold-start sample and billed trace events. */
export function createBilling(options: {
  profile: CloudProfile;
  metering: Metering;
  coldStarts: ColdStarts;
  outbox: TraceOutbox;
}): Billing {
  const { profile, metering, coldStarts, outbox } = options;
  return {
    billRun(fn, invocation, outcome, attempt, delivery, timing) {
      const { billedMs, costUsd } = billInvocation(
        profile,
        outcome.durationMs,
        fn.memoryMb,
        fn.functionClass,
      );
      metering.record(fn.name, outcome.ok, billedMs, costUsd);
      if (fn.trace === undefined || invocation === undefined) return;
      const instance = instanceKey(invocation.fn, invocation.scope);
      const at = Date.now();
      const event: TraceEvent = {
        id: `${invocation.execution}/${instance}/invocation.billed/${attempt}@${profile.id}#${delivery}`,
        execution: invocation.execution,
        deployment: invocation.deployment,
        instance,
        node: invocation.fn,
        kind: 'invocation.billed',
        cloud: profile.id,
        attempt,
        hlc: `${at}-0-${profile.id}`,
        at,
        durationMs: Math.round(outcome.durationMs * 1000) / 1000,
        billedMs,
        costUsd,
      };
      if (timing !== undefined) {
        // Time in pool.run beyond the handler's own run is the sandbox's start (cold) or a wait
        // for a free slot (warm, counted as queueing): the run timeline splits the bar with these.
        const overheadMs = Math.max(0, timing.wallMs - outcome.durationMs);
        event.coldStartMs = outcome.coldStart ? Math.round(overheadMs) : 0;
        if (outcome.coldStart) coldStarts.add(overheadMs);
        event.queuedMs = Math.round(timing.queuedMs + (outcome.coldStart ? 0 : overheadMs));
      }
      if (!outcome.ok) event.error = { message: outcome.error.message };
      outbox.append(fn.trace.url, fn.trace.secret, [event]);
    },
  };
}

/** A zip function as billing sees it: its configured memory, the `cpu` class, its ingest. */
export function zipBilledFunction(target: ZipTarget): BilledFunction {
  const url = target.config.env.JF_TRACE_URL;
  return {
    name: target.fn.name,
    memoryMb: target.config.memoryMb,
    functionClass: 'cpu',
    ...(url !== undefined
      ? { trace: { url, secret: target.config.env.JF_TRACE_SECRET ?? '' } }
      : {}),
  };
}
