import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudProfile, compile, type WorkflowIR } from '@jointflow/ir';
import { checkHistory } from '@jointflow/runtime';
import type { CloudShim } from '@jointflow/shims';
import type { Durability } from './database';
import { loadProfileDir } from './profiles';
import { type LocalClouds, startLocalClouds } from './startLocalClouds';
import { startTraceCollector, type TraceCollector } from './traceCollector';

/**
 * Test fixture (not exported from the package): real cloud processes in a temp dir with short
 * cold starts and retry delays, and a trace collector.
 */
export interface TestClouds {
  local: LocalClouds;
  /** Each cloud's data (store, spool, bundles) is in `<dataDir>/<cloud id>`. */
  dataDir: string;
  collector: TraceCollector;
  profiles: CloudProfile[];
  env: Record<string, string>;
  close(): Promise<void>;
}

export const quickBehaviour = { coldStartMs: 10, asyncRetryDelayMs: 50 } as const;

export async function startTestClouds(
  options: {
    only?: string;
    maxWorkersPerCloud?: number;
    durability?: Durability;
    /** Replaces every profile's latency between clouds (ms one way), to keep big tests quick. */
    latencyMs?: number;
    /**
     * Sandboxes per worker process (`behaviour.processConcurrency`), instead of the profiles'.
     * `JF_PROCESS_CONCURRENCY=N` sets it for a whole test run (to compare settings).
     */
    processConcurrency?: number;
  } = {},
): Promise<TestClouds> {
  const all = loadProfileDir();
  const chosen = options.only ? all.filter((p) => p.id === options.only) : all;
  const { latencyMs } = options;
  const profiles =
    latencyMs === undefined
      ? chosen
      : chosen.map((p) => ({
          ...p,
          latencyMs: Object.fromEntries(Object.keys(p.latencyMs).map((k) => [k, latencyMs])),
        }));
  const dataDir = mkdtempSync(join(tmpdir(), 'jf-test-clouds-'));
  const fromEnv = process.env.JF_PROCESS_CONCURRENCY;
  const processConcurrency =
    options.processConcurrency ?? (fromEnv === undefined ? undefined : Number(fromEnv));
  const collector = await startTraceCollector();
  const local = await startLocalClouds({
    profiles,
    dataDir,
    behaviour:
      processConcurrency === undefined ? quickBehaviour : { ...quickBehaviour, processConcurrency },
    logs: 'ignore',
    ...(options.maxWorkersPerCloud ? { maxWorkersPerCloud: options.maxWorkersPerCloud } : {}),
    ...(options.durability ? { durability: options.durability } : {}),
  });
  return {
    local,
    dataDir,
    collector,
    profiles,
    env: { JF_TRACE_URL: collector.url, JF_TRACE_SECRET: collector.secret },
    async close() {
      await local.stop();
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function compileOrThrow(graph: unknown, profiles: CloudProfile[]): WorkflowIR {
  const { ir, diagnostics } = compile(graph, { clouds: profiles });
  if (ir === undefined) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return ir;
}

/**
 * The history checker's violations for `execution`, read from the shims' own stores (DynamoDB
 * for an AWS shim, the emulator for a local one). Trace events arrive shortly after the result
 * commits, so it tries up to 100 times, 100 ms apart: a count, not a deadline.
 */
export async function historyViolations(
  shims: readonly CloudShim[],
  collector: TraceCollector,
  ir: WorkflowIR,
  execution: string,
): Promise<string[]> {
  const byId = new Map(shims.map((s): [string, CloudShim] => [s.id, s]));
  const store = (cloud: string) => {
    const shim = byId.get(cloud);
    if (shim === undefined) throw new Error(`no cloud ${cloud}`);
    return shim.store();
  };
  let violations: string[] = [];
  for (let i = 0; i < 100; i++) {
    const report = await checkHistory({ ir, execution, store, events: collector.events() });
    violations = report.violations;
    if (report.ok) return [];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return violations;
}
