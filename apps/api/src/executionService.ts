import { stillQueuedOn } from '@jointflow/local-cloud';
import { stallVerdict } from '@jointflow/runtime';
import { summarizeInstances } from '@jointflow/runtime/summary';
import type { CloudShim, LocalEmulatorControl } from '@jointflow/shims';
import type { ApiContext } from './apiContext';
import { ApiError, notFound } from './apiError';
import type { EngineRun } from './executionEngine';
import type { OtelExporter } from './otelExport';
import type { DeploymentRecord, ExecutionRecord } from './store/repository';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function runOf(
  ctx: ApiContext,
  deployment: DeploymentRecord,
  execution: ExecutionRecord,
): EngineRun {
  return {
    execution: execution.id,
    deployment: deployment.id,
    ir: deployment.ir,
    input: execution.input,
    clouds: ctx.clouds,
  };
}

async function readyDeployment(ctx: ApiContext, id: string): Promise<DeploymentRecord> {
  const deployment = await ctx.repo.getDeployment(id);
  if (deployment === undefined) throw notFound('deployment', id);
  if (deployment.status !== 'ready') {
    throw new ApiError(
      'API_CONFLICT',
      `deployment ${id} is ${deployment.status}, not ready; wait until GET /api/v1/deployments/${id} says ready${deployment.status === 'failed' ? ' (it failed: deploy again)' : ''}`,
    );
  }
  return deployment;
}

/** Waits before each retry of a start invoke that failed on the way (network, a busy cloud). */
export const START_RETRY_DELAYS_MS: readonly number[] = [100, 400, 1_600];

/** Errors a retry cannot fix: the execution was closed, or its id or cloud is not valid. */
const FINAL_START_ERRORS: ReadonlySet<string> = new Set([
  'RUNTIME_EXECUTION_CLOSED',
  'RUNTIME_BAD_EXECUTION_ID',
  'LOCAL_UNKNOWN_CLOUD',
]);

/**
 * Starts through the engine, again after a failed try (ECONNRESET from a cloud restarting, a
 * socket closed under load): a start is idempotent (the runtime's start record is put-if-absent
 * and a repeated invoke is marked as a possible duplicate), so a retry never starts twice.
 */
async function startWithRetries(ctx: ApiContext, run: EngineRun): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ctx.engine.start(run);
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const delay = START_RETRY_DELAYS_MS[attempt];
      if (delay === undefined || (typeof code === 'string' && FINAL_START_ERRORS.has(code))) {
        throw error;
      }
      ctx.log.warn(`execution ${run.execution}: start failed (${messageOf(error)}); retrying`, {
        execution: run.execution,
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** The start could not reach a cloud at all (refused or reset connection, no route). */
function cloudUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    code === 'CLOUD_UNREACHABLE' ||
    /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|socket hang up/.test(messageOf(error))
  );
}

/**
 * Creates the execution record, then invokes the start function; a refused invoke fails it, an
 * unreachable cloud leaves it to the watchdog.
 */
export async function startExecution(
  ctx: ApiContext,
  deploymentId: string,
  input: unknown,
): Promise<ExecutionRecord> {
  const deployment = await readyDeployment(ctx, deploymentId);
  const execution = await ctx.repo.createExecution({
    deploymentId: deployment.id,
    workflowId: deployment.workflowId,
    input,
  });
  try {
    await startWithRetries(ctx, runOf(ctx, deployment, execution));
  } catch (error) {
    if (cloudUnreachable(error)) {
      // A cloud restarting (its supervisor brings it back on its port): the execution stays
      // running and the watchdog redrives its start, with backoff, until the cloud answers or
      // its redrives run out (then it fails, saying so).
      ctx.log.warn(
        `execution ${execution.id}: start deferred to the watchdog: ${messageOf(error)}`,
        {
          execution: execution.id,
        },
      );
      return execution;
    }
    ctx.log.error(`execution ${execution.id}: start failed: ${messageOf(error)}`, {
      execution: execution.id,
    });
    await ctx.repo.finishExecution(execution.id, {
      status: 'failed',
      error: { message: `the start invoke failed: ${messageOf(error)}; redrive it` },
      finishedAt: Date.now(),
    });
    ctx.hub.wake(execution.id);
  }
  return execution;
}

/** Reruns an unfinished or failed execution from its checkpoints. */
export async function redriveExecution(
  ctx: ApiContext,
  id: string,
  cause: 'watchdog' | 'user' = 'user',
): Promise<ExecutionRecord> {
  const execution = await ctx.repo.getExecution(id);
  if (execution === undefined) throw notFound('execution', id);
  if (execution.status === 'succeeded' || execution.status === 'cancelled') {
    throw new ApiError('API_CONFLICT', `execution ${id} was ${execution.status}; start a new one`);
  }
  if (execution.closedAt !== null) {
    throw new ApiError(
      'API_CONFLICT',
      `execution ${id} was closed (its checkpoints are deleted); start a new one`,
    );
  }
  const deployment = await readyDeployment(ctx, execution.deploymentId);
  const redriven = await ctx.repo.markRedriven(id, cause);
  if (redriven === undefined) throw notFound('execution', id);
  ctx.hub.wake(id);
  const run = runOf(ctx, deployment, redriven);
  try {
    await ctx.engine.redrive(run);
  } catch (error) {
    // Its start never reached the result store (the cloud was down when it started): there is
    // no committed prefix to rerun, so start it now (a start is idempotent).
    if ((error as { code?: unknown }).code !== 'RUNTIME_UNKNOWN_EXECUTION') throw error;
    await ctx.engine.start(run);
  }
  return redriven;
}

/**
 * Reads the committed result from the result store and records it: the terminal trace event only
 * carries a preview, and the store is the source of truth.
 */
export async function confirmOutcome(ctx: ApiContext, id: string): Promise<boolean> {
  const execution = await ctx.repo.getExecution(id);
  if (execution === undefined) return false;
  const deployment = await ctx.repo.getDeployment(execution.deploymentId);
  if (deployment === undefined) return false;
  const outcome = await ctx.engine.readResult({
    execution: id,
    deployment: deployment.id,
    ir: deployment.ir,
    clouds: ctx.clouds,
  });
  if (outcome === undefined) return false;
  await ctx.repo.recordOutcome(id, outcome);
  ctx.hub.wake(id);
  if (ctx.otel !== undefined && outcome.status !== 'cancelled') {
    ctx.track(exportTrace(ctx, ctx.otel, id, deployment, outcome.status));
  }
  return true;
}

/**
 * Cancels a running execution: the runtime's closed marker (status `cancelled`) goes into every
 * store it touches and its items are sealed, so no step starts another and running ones end at
 * their next commit; then the record says `cancelled` (final: it cannot be redriven). If the
 * execution completed meanwhile, its real outcome is recorded instead.
 */
export async function cancelExecution(ctx: ApiContext, id: string): Promise<ExecutionRecord> {
  const execution = await ctx.repo.getExecution(id);
  if (execution === undefined) throw notFound('execution', id);
  if (execution.status !== 'running') {
    throw new ApiError(
      'API_CONFLICT',
      `execution ${id} is ${execution.status}; only a running execution can be cancelled`,
    );
  }
  const deployment = await ctx.repo.getDeployment(execution.deploymentId);
  if (deployment === undefined) throw notFound('deployment', execution.deploymentId);
  const outcome = await ctx.engine.cancel({
    execution: id,
    deployment: deployment.id,
    ir: deployment.ir,
    clouds: ctx.clouds,
  });
  if (outcome === 'cancelled') {
    await ctx.repo.cancelExecution(id, Date.now());
    ctx.hub.wake(id);
  } else {
    await confirmOutcome(ctx, id);
  }
  const current = await ctx.repo.getExecution(id);
  if (current === undefined) throw notFound('execution', id);
  return current;
}

/** Events of other instances may still be on their way when the result is in: wait a little. */
const OTEL_SETTLE_MS = 1_000;

async function exportTrace(
  ctx: ApiContext,
  otel: OtelExporter,
  id: string,
  deployment: DeploymentRecord,
  status: 'succeeded' | 'failed',
): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, OTEL_SETTLE_MS));
  try {
    const events = await ctx.repo.listEvents(id, 0, 100_000);
    otel.exportExecution({
      execution: id,
      workflow: deployment.workflowId,
      deployment: deployment.id,
      status,
      ir: deployment.ir,
      events: events.map((e) => e.event),
    });
  } catch (error) {
    ctx.log.warn(`otel: execution ${id}: ${messageOf(error)}`, { execution: id });
  }
}

export interface WatchdogOptions {
  /**
   * A running execution with nothing in flight (every started step ended) and no event for this
   * long is redriven: an invoke was dropped. A step in flight gets its own timeout instead.
   */
  stallMs: number;
  intervalMs: number;
  /** After this many watchdog redrives without a new event, the execution is failed. */
  maxRedrives: number;
  /**
   * Each redrive without progress doubles the wait before the next, up to this multiple of
   * `stallMs` (32 by default: a restarting cloud gets minutes, not a few quick redrives).
   */
  maxBackoff: number;
  /** A succeeded execution is closed (checkpoints deleted in the clouds) this long after. */
  closeSucceededAfterMs: number;
  /** A failed one stays redrivable this long before it is closed. */
  closeFailedAfterMs: number;
}

/** Slack on a step's timeout before its silence counts as a stall (retry scheduling, clocks). */
const TIMEOUT_SLACK_MS = 2_000;

/**
 * How long an execution may stay silent: `stallMs` when no step is in flight, else the longest
 * timeout among the steps in flight (a step emits nothing between its start and its end).
 */
async function patienceFor(
  ctx: ApiContext,
  execution: ExecutionRecord,
  stallMs: number,
  irs: Map<string, DeploymentRecord['ir']>,
): Promise<number> {
  let ir = irs.get(execution.deploymentId);
  if (ir === undefined) {
    ir = (await ctx.repo.getDeployment(execution.deploymentId))?.ir;
    if (ir === undefined) return stallMs;
    irs.set(execution.deploymentId, ir);
  }
  const events = await ctx.repo.listEvents(execution.id, 0, 100_000);
  let patience = stallMs;
  for (const row of summarizeInstances(events.map((e) => e.event))) {
    if (row.status !== 'running' && row.status !== 'retrying') continue;
    const timeout = ir.functions[row.node]?.timeoutMs ?? 0;
    patience = Math.max(patience, timeout + TIMEOUT_SLACK_MS);
  }
  return patience;
}

/** The local clouds' queue controls (`stillQueuedOn` asks them for pending invocations). */
function localClouds(clouds: ReadonlyMap<string, CloudShim>): LocalEmulatorControl[] {
  return [...clouds.values()].flatMap((shim) => (shim.local === undefined ? [] : [shim.local]));
}

/** Starts the watchdog loop; returns a function that stops it and waits for the current pass. */
export function startWatchdog(ctx: ApiContext, options: WatchdogOptions): () => Promise<void> {
  let current: Promise<void> = Promise.resolve();
  let running = false;
  const irs = new Map<string, DeploymentRecord['ir']>();
  const closeFinished = async (now: number) => {
    const closable = await ctx.repo.listClosable(
      now - options.closeSucceededAfterMs,
      now - options.closeFailedAfterMs,
      20,
    );
    for (const execution of closable) {
      if (ctx.isClosing()) return;
      const deployment = await ctx.repo.getDeployment(execution.deploymentId);
      if (deployment === undefined) continue;
      try {
        await ctx.engine.close({
          execution: execution.id,
          deployment: deployment.id,
          ir: deployment.ir,
          clouds: ctx.clouds,
        });
        await ctx.repo.markClosed(execution.id, Date.now());
      } catch (error) {
        ctx.log.warn(`watchdog: closing execution ${execution.id}: ${messageOf(error)}`, {
          execution: execution.id,
        });
      }
    }
  };
  const pass = async () => {
    // One watchdog per database: with several API processes, only the holder of the watchdog
    // lock redrives and closes (each redriving every stall would multiply the redrives).
    if (!(await ctx.repo.leadsWatchdog())) return;
    const now = Date.now();
    await closeFinished(now);
    const stalled = await ctx.repo.listStalledExecutions(now - options.stallMs, 50);
    for (const execution of stalled) {
      if (ctx.isClosing()) return;
      try {
        if (await confirmOutcome(ctx, execution.id)) continue;
        // The runtime's policy, shared with runExecution: each redrive without progress doubles
        // the wait before the next (up to maxBackoff x), so a cloud that is restarting gets
        // minutes, not five quick redrives, before the run fails. A redrive counts as progress
        // here (the repository moves lastEventAt when it marks one).
        const verdict = stallVerdict(options, {
          now,
          lastProgressAt: execution.lastEventAt,
          lastRedriveAt: 0,
          idleRedrives: execution.idleRedrives,
          inFlightMs: await patienceFor(ctx, execution, options.stallMs, irs),
        });
        if (verdict === 'wait') continue;
        if (verdict === 'give-up') {
          await ctx.repo.finishExecution(execution.id, {
            status: 'failed',
            error: {
              message: `no progress after ${execution.idleRedrives} redrives by the watchdog; inspect its events and redrive it by hand`,
            },
            finishedAt: Date.now(),
          });
          ctx.hub.wake(execution.id);
          continue;
        }
        // Still queued somewhere: wait (up to 8x the stall time without progress, then redrive).
        if (verdict === 'ask-queue' && (await stillQueuedOn(localClouds(ctx.clouds))(execution.id)))
          continue;
        // The checks above took time: the run may have ended or moved meanwhile (its last step
        // finished, so nothing is queued any more). Only a run still silent is redriven.
        if (await confirmOutcome(ctx, execution.id)) continue;
        const fresh = await ctx.repo.getExecution(execution.id);
        if (fresh?.status !== 'running' || fresh.lastEventAt !== execution.lastEventAt) continue;
        ctx.log.info(`watchdog: execution ${execution.id} stalled; redriving`, {
          execution: execution.id,
        });
        await redriveExecution(ctx, execution.id, 'watchdog');
      } catch (error) {
        ctx.log.warn(`watchdog: execution ${execution.id}: ${messageOf(error)}`, {
          execution: execution.id,
        });
      }
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    current = pass()
      .catch((error: unknown) => ctx.log.warn(`watchdog: ${messageOf(error)}`))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await current;
  };
}
