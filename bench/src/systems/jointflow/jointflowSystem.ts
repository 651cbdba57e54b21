import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compile, type WorkflowIR } from '@jointflow/ir';
import { outsidePorts, runExecution, stillQueuedOn } from '@jointflow/local-cloud';
import { readExecutionResult, startExecution } from '@jointflow/runtime';
import { deployWorkflow, type FaultSpec } from '@jointflow/shims';
import { z } from 'zod';
import { preciseNow } from '../../percentiles';
import { chainPayload, MARK_STEP_CODE } from '../../userCode';
import { benchClouds, startBenchLocalClouds } from '../benchClouds';
import type { SystemUnderTest, WorkflowRun } from '../chainRunner';

/** How often the driver polls the result store for the end of an execution, ms. */
const RESULT_POLL_MS = 2;
/** A safety net, not a budget: a 4,000-way fan-out at load 30+ on 2 cores takes minutes. */
const EXECUTION_TIMEOUT_MS = 600_000;

export interface JointflowSystem extends SystemUnderTest {
  /** Sum of every cloud's metered cost so far, USD (requests + billed GB-seconds). */
  meteredCostUsd(): Promise<number>;
  /** Store operations so far priced at each cloud's storeRead / storeWrite, USD. */
  storeOpsCostUsd(): Promise<number>;
  /** Faults on every cloud, or on the listed clouds only. */
  injectFaults(spec: FaultSpec, clouds?: readonly string[]): Promise<void>;
  /** Runs with the local cloud's watchdog (redrives a stalled execution), for the fault suite. */
  runWithWatchdog(
    workflow: string,
    input: unknown,
    stallMs: number,
    timeoutMs: number,
  ): Promise<{ status: string; output?: unknown; makespanMs: number; redrives: number }>;
}

/**
 * Jointflow on the local clouds: one OS process per cloud profile (packages/local-cloud), every
 * workflow deployed with its runtime, executions started from outside through the runtime's
 * `startExecution` and finished when the result record appears in the result store.
 */
export async function startJointflow(fsync: boolean): Promise<JointflowSystem> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jf-bench-clouds-'));
  const local = await startBenchLocalClouds(dataDir, fsync);
  const shims = local.clouds.map((cloud) => cloud.shim);
  const ports = outsidePorts(shims, local.peers);
  const deployed = new Map<string, { ir: WorkflowIR; deployment: string }>();
  let counter = 0;
  /** The driver's own result polls (one getMany each): not the execution's work, left out of storeOps. */
  const driverPolls = new Map<string, number>();

  const deploy = async (ir: WorkflowIR) => {
    const deployment = `bench${counter++}`;
    await deployWorkflow(shims, ir, deployment);
    deployed.set(ir.workflow, { ir, deployment });
  };

  const run = async (workflow: string, input: unknown): Promise<WorkflowRun> => {
    const target = deployed.get(workflow);
    if (!target) throw new Error(`BENCH_NOT_DEPLOYED: deploy ${workflow} first`);
    const started = preciseNow();
    const { execution } = await startExecution(ports, {
      ir: target.ir,
      deployment: target.deployment,
      input,
    });
    const store = ports.store(target.ir.resultStore);
    let refused = 0;
    for (;;) {
      driverPolls.set(target.ir.resultStore, (driverPolls.get(target.ir.resultStore) ?? 0) + 1);
      let result: Awaited<ReturnType<typeof readExecutionResult>>;
      try {
        result = await readExecutionResult(store, execution, ports.blobs);
        refused = 0;
      } catch (error) {
        // A poll the cloud dropped (its API resets the connection when a store call throws,
        // seen under a 4,000-way fan-in at load 35+): the execution goes on without the driver,
        // so poll again, up to 50 times in a row.
        if (++refused > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (result.status === 'succeeded') {
        return { output: result.output, makespanMs: preciseNow() - started };
      }
      if (result.status !== 'running') {
        throw new Error(`BENCH_JOINTFLOW_FAILED: ${workflow} ended ${JSON.stringify(result)}`);
      }
      if (preciseNow() - started > EXECUTION_TIMEOUT_MS) {
        throw new Error(
          `BENCH_JOINTFLOW_TIMEOUT: ${workflow} ran longer than ${EXECUTION_TIMEOUT_MS} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, RESULT_POLL_MS));
    }
  };

  return {
    label: `Jointflow (${fsync ? 'fsync' : 'no fsync'})`,
    path: "local clouds' Invoke API, Event, function → function",
    durability: fsync
      ? 'local-cloud SQLite WAL, synchronous=FULL: each commit fsync’d'
      : 'local-cloud SQLite WAL, durability "os": commits reach the OS, no fsync',
    async runChain(clouds) {
      const name = `chain-${clouds.map((cloud) => benchClouds.findIndex((p) => p.id === cloud)).join('')}`;
      if (!deployed.has(name)) await deploy(chainWorkflow(name, clouds));
      const result = await run(name, chainPayload());
      return z.object({ marks: z.array(z.number()) }).parse(result.output).marks;
    },
    workflows: { deploy, run },
    async meteredCostUsd() {
      const rows = (await Promise.all(shims.map((shim) => shim.metering()))).flat();
      return rows.reduce((sum, row) => sum + row.costUsd, 0);
    },
    async storeOpsCostUsd() {
      const stats = await Promise.all(shims.map((shim) => shim.stats()));
      return stats.reduce((sum, cloud, index) => {
        const ops = cloud.storeOps?.total;
        const prices = shims[index]?.profile.prices;
        if (!ops || !prices) return sum;
        const writes = ops.writes + ops.conditionalWrites + ops.slotFills;
        const reads = ops.reads - (driverPolls.get(cloud.id) ?? 0);
        return sum + reads * prices.storeRead + writes * prices.storeWrite;
      }, 0);
    },
    async injectFaults(spec, clouds) {
      const targets = clouds ? shims.filter((shim) => clouds.includes(shim.profile.id)) : shims;
      await Promise.all(targets.map((shim) => shim.local.injectFaults(spec)));
    },
    async runWithWatchdog(workflow, input, stallMs, timeoutMs) {
      const target = deployed.get(workflow);
      if (!target) throw new Error(`BENCH_NOT_DEPLOYED: deploy ${workflow} first`);
      const started = preciseNow();
      const run = await runExecution(ports, {
        ir: target.ir,
        deployment: target.deployment,
        input,
        stallMs,
        timeoutMs,
        // As jointflow run and the API do: a busy queue is waited for, a lost invoke redriven.
        stillQueued: stillQueuedOn(shims),
      });
      return {
        status: run.result.status,
        ...(run.result.status === 'succeeded' ? { output: run.result.output } : {}),
        makespanMs: preciseNow() - started,
        redrives: run.redrives,
      };
    },
    async pids(workflow) {
      const prefix = workflow ? `${deployed.get(workflow)?.deployment ?? '?'}--` : '';
      const stats = await Promise.all(shims.map((shim) => shim.stats()));
      return stats.flatMap((cloud) => [
        cloud.pid,
        ...cloud.workers
          .filter((worker) => worker.function.startsWith(prefix))
          .map((worker) => worker.pid),
      ]);
    },
    async storeOps() {
      const stats = await Promise.all(shims.map((shim) => shim.stats()));
      const total = { reads: 0, writes: 0, conditionalWrites: 0, slotFills: 0 };
      for (const cloud of stats) {
        const ops = cloud.storeOps?.total;
        if (!ops) throw new Error('BENCH_NO_STORE_OPS: this local cloud has no store-op counter');
        total.reads += ops.reads;
        total.writes += ops.writes;
        total.conditionalWrites += ops.conditionalWrites;
        total.slotFills += ops.slotFills;
      }
      for (const polls of driverPolls.values()) total.reads -= polls;
      return total;
    },
    async close() {
      await local.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A chain of no-op mark steps, one per entry of `clouds`, placed as given. */
export function chainWorkflow(name: string, clouds: readonly string[]): WorkflowIR {
  const nodes = clouds.map((cloud, index) => ({
    kind: 'task' as const,
    name: `step${index}`,
    cloud,
    code: MARK_STEP_CODE,
  }));
  const edges = nodes.slice(1).map((node, index) => ({
    id: `e${index}`,
    source: `step${index}`,
    target: node.name,
  }));
  return compileOrThrow({ name, nodes, edges });
}

export function compileOrThrow(graph: unknown, placement?: Record<string, string>): WorkflowIR {
  const { ir, diagnostics } = compile(graph, {
    clouds: benchClouds,
    ...(placement ? { placement } : {}),
  });
  if (!ir) {
    throw new Error(
      `BENCH_COMPILE_FAILED: ${diagnostics.map((d) => JSON.stringify(d)).join('; ')}`,
    );
  }
  return ir;
}
