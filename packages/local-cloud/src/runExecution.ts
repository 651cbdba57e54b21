import type { WorkflowIR } from '@jointflow/ir';
import {
  type ExecutionResult,
  InvokeError,
  type RuntimePorts,
  readExecutionResult,
  redriveExecution,
  type StallPolicy,
  stallVerdict,
  startExecution,
} from '@jointflow/runtime';
import { type CloudShim, createHttpInvoker, type LocalCloudShim } from '@jointflow/shims';

/**
 * Runtime ports for code outside every cloud (the CLI, tests, the API's engine): each cloud's
 * store and blobs through its shim; invokes straight to an emulator's invoke API where `peers`
 * names one, else through the cloud's shim (Lambda `Event`, FC `Async`). Every failure to reach a
 * cloud is an `InvokeError` (keeping the shim's code, e.g. `CLOUD_UNREACHABLE`), so the runtime
 * fails over to the next replica; a cloud not among `shims` is `LOCAL_UNKNOWN_CLOUD`.
 */
export function outsidePorts(
  shims: Iterable<CloudShim>,
  peers: Record<string, string> = {},
): Pick<RuntimePorts, 'store' | 'blobs' | 'invoker' | 'now'> {
  const byId = new Map<string, CloudShim>();
  for (const shim of shims) byId.set(shim.id, shim);
  const http = createHttpInvoker(peers);
  const shimOf = (cloud: string): CloudShim => {
    const shim = byId.get(cloud);
    if (shim === undefined) {
      throw new InvokeError(
        'LOCAL_UNKNOWN_CLOUD',
        `cloud "${cloud}" is not one of the clouds this process runs (${[...byId.keys()].join(', ')})`,
      );
    }
    return shim;
  };
  return {
    store: (cloud) => shimOf(cloud).store(),
    blobs: (cloud) => shimOf(cloud).blobs(),
    invoker: {
      async invokeAsync(cloud, invocation) {
        if (peers[cloud] !== undefined && shimOf(cloud).provider === 'local') {
          return http.invokeAsync(cloud, invocation);
        }
        try {
          await shimOf(cloud).invokeAsync(invocation);
        } catch (error) {
          if (error instanceof InvokeError) throw error;
          const code = (error as { code?: unknown }).code;
          const message = error instanceof Error ? error.message : String(error);
          throw new InvokeError(
            typeof code === 'string' ? code : 'INVOKE_FAILED',
            `invoking ${invocation.fn} on ${cloud}: ${message}`,
          );
        }
      },
    },
    now: () => Date.now(),
  };
}

/**
 * `RunExecutionOptions.stillQueued` over local clouds: true while any of them holds an accepted,
 * unfinished invocation of the execution. A cloud that cannot answer counts as holding none.
 *
 * @example
 * runExecution(ports, { ir, deployment, input, stillQueued: stillQueuedOn(shims) });
 */
export function stillQueuedOn(
  shims: readonly Pick<LocalCloudShim, 'pendingInvocations'>[],
): (execution: string) => Promise<boolean> {
  return async (execution) =>
    (await Promise.all(shims.map((s) => s.pendingInvocations(execution).catch(() => 0)))).some(
      (n) => n > 0,
    );
}

export interface RunExecutionOptions {
  ir: WorkflowIR;
  deployment: string;
  input: unknown;
  execution?: string;
  /** Wall-clock ms of the execution's last sign of progress (e.g. a trace collector's). */
  lastProgressAt?: (execution: string) => number | undefined;
  /**
   * The watchdog redrives when nothing moved for this long (default 3 s). Without
   * `stillQueued`, each redrive that is not followed by progress doubles the wait (up to 8x): a
   * redrive re-invokes the whole committed prefix, and redriving again before that walk is
   * through only adds load. With `stillQueued` the walk in progress is visible as queued
   * invocations, so the wait stays at `stallMs` and a lost invoke is found again quickly.
   */
  stallMs?: number;
  /**
   * Whether some cloud still holds an accepted, unfinished invocation of the execution (e.g.
   * `LocalCloudShim.pendingInvocations`). When it does, a stall is a queue that is busy or
   * paused, not a lost invoke, and the watchdog waits instead of redriving — up to 8x `stallMs`
   * without progress, after which it redrives anyway.
   */
  stillQueued?: (execution: string) => Promise<boolean>;
  /** Gives up after this long (default 120 s). */
  timeoutMs?: number;
}

export interface RunExecutionResult {
  execution: string;
  result: Exclude<ExecutionResult, { status: 'running' }> | { status: 'timed-out' };
  redrives: number;
  elapsedMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts an execution and waits for its result, with a watchdog: when the execution stops moving
 * for `stallMs` (a dropped invoke, a dead-lettered step), it is redriven from its checkpoints.
 *
 * @example
 * const run = await runExecution(ports, { ir, deployment: 'd1', input: { n: 1 } });
 */
export async function runExecution(
  ports: Pick<RuntimePorts, 'store' | 'blobs' | 'invoker' | 'now'>,
  options: RunExecutionOptions,
): Promise<RunExecutionResult> {
  const started = Date.now();
  const stallMs = options.stallMs ?? 3_000;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const { execution } = await startExecution(ports, {
    ir: options.ir,
    deployment: options.deployment,
    input: options.input,
    ...(options.execution ? { execution: options.execution } : {}),
  });
  let redrives = 0;
  let idleRedrives = 0;
  let lastRedriveAt = 0;
  let progressAtRedrive = 0;
  let pollMs = 20;
  // With `stillQueued` a walk in progress is visible as queued invocations: no back-off needed.
  const policy: StallPolicy = { stallMs, maxBackoff: options.stillQueued === undefined ? 8 : 1 };
  for (;;) {
    const result = await readExecutionResult(
      ports.store(options.ir.resultStore),
      execution,
      ports.blobs,
    );
    if (result.status !== 'running') {
      return { execution, result, redrives, elapsedMs: Date.now() - started };
    }
    const now = Date.now();
    if (now - started > timeoutMs) {
      return { execution, result: { status: 'timed-out' }, redrives, elapsedMs: now - started };
    }
    const progressed = options.lastProgressAt?.(execution) ?? 0;
    // Moving again since the last redrive: back to the normal patience.
    if (progressed > progressAtRedrive) idleRedrives = 0;
    const verdict = stallVerdict(policy, {
      now,
      lastProgressAt: Math.max(progressed, started),
      lastRedriveAt,
      idleRedrives,
    });
    if (
      verdict === 'ask-queue' &&
      options.stillQueued !== undefined &&
      (await options.stillQueued(execution).catch(() => false))
    ) {
      // Not lost, only waiting: look again after another stall period.
      lastRedriveAt = now;
    } else if (verdict === 'ask-queue' || verdict === 'redrive') {
      redrives++;
      idleRedrives++;
      lastRedriveAt = now;
      progressAtRedrive = Math.max(progressed, now);
      try {
        await redriveExecution(ports, { execution, resultStore: options.ir.resultStore });
      } catch {
        // Every cloud hosting the start may be out right now; the next stall tries again.
      }
    }
    await sleep(pollMs);
    pollMs = Math.min(200, pollMs * 1.5);
  }
}
