import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudProfile, compile, formatDiagnostic, type WorkflowIR } from '@jointflow/ir';
import {
  FaultArgError,
  loadCloudsFile,
  loadProfileDir,
  outsidePorts,
  parseFaultArg,
  resolveProfiles,
  runExecution,
  startClouds,
  startTraceCollector,
  stillQueuedOn,
} from '@jointflow/local-cloud';
import { InvokeError, type TraceEvent } from '@jointflow/runtime';
import { type InstanceRow, orderTraceEvents, summarizeInstances } from '@jointflow/runtime/summary';
import { type CloudsFile, deployWorkflow } from '@jointflow/shims';
import { type Command, defineCommand, UsageError } from '../command';
import { readJsonFile } from './compile';
import { connectApi, DEFAULT_API_URL, describeApiFailure } from './deploy';
import { runViaApi } from './trace';

interface RunArgs {
  file: string;
  input?: string;
  faults?: string;
  seed: number;
  json: boolean;
  clouds?: string;
  profiles?: string;
  keep: boolean;
  /** --timeout in ms; default 120 s (runExecution's). */
  timeoutMs?: number;
  /** Set with --api: the API's URL, or '' for the default. */
  api?: string;
}

function parseInput(text: string | undefined, graph: unknown): unknown {
  if (text === undefined) {
    const sample = (graph as { sampleInput?: unknown }).sampleInput;
    if (sample === undefined)
      throw new UsageError('give --input <json|@file>; the graph has no sampleInput');
    return sample;
  }
  if (text.startsWith('@')) return readJsonFile(text.slice(1));
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(
      `--input is not valid JSON: ${text.slice(0, 80)}; quote it for your shell`,
    );
  }
}

/** What one trigger did in an execution: objects it received, the runs it fired, what it dropped. */
export interface TriggerSummary {
  trigger: string;
  /** Producers' deliveries into the bucket (each counted once, whatever the duplicates). */
  received: number;
  /** The runs its committed decisions fired, with their members in decided order when known. */
  fired: { instance: string; members?: string[] }[];
  /** Objects no run takes (k-of-n: late; set: not in the set). */
  dropped: { from: string; key: string; reason: string }[];
}

/**
 * One entry per trigger node from the trace's `trigger.*` events. Event ids are deterministic
 * per decision, so a duplicated delivery or a retried producer is counted once.
 */
export function summarizeTriggers(
  events: readonly TraceEvent[],
  execution: string,
): TriggerSummary[] {
  const byTrigger = new Map<string, TriggerSummary>();
  const seen = new Set<string>();
  // In hybrid-logical-clock order: clouds' wall clocks differ, the stamps do not lie.
  const ordered = orderTraceEvents(events.filter((e) => e.execution === execution));
  for (const e of ordered) {
    if (!e.kind.startsWith('trigger.') || seen.has(e.id)) continue;
    seen.add(e.id);
    let summary = byTrigger.get(e.node);
    if (summary === undefined) {
      summary = { trigger: e.node, received: 0, fired: [], dropped: [] };
      byTrigger.set(e.node, summary);
    }
    const output = (e.output ?? {}) as {
      members?: unknown;
      from?: unknown;
      key?: unknown;
      reason?: unknown;
    };
    if (e.kind === 'trigger.received') summary.received++;
    else if (e.kind === 'trigger.fired') {
      // A crash after the decision refires the same run: one entry per run instance.
      if (summary.fired.some((f) => f.instance === e.instance)) continue;
      const members = Array.isArray(output.members) ? output.members.map(String) : undefined;
      summary.fired.push({ instance: e.instance, ...(members ? { members } : {}) });
    } else if (e.kind === 'trigger.dropped') {
      summary.dropped.push({
        from: String(output.from ?? ''),
        key: String(output.key ?? ''),
        reason: String(output.reason ?? ''),
      });
    }
  }
  for (const summary of byTrigger.values()) {
    summary.fired.sort((a, b) => a.instance.localeCompare(b.instance, 'en', { numeric: true }));
  }
  return [...byTrigger.values()];
}

/** A time window an execution fed, and how its own execution ended. */
type WindowRun = { trigger: string; execution: string } & Awaited<
  ReturnType<typeof runExecution>
>['result'];

/** The time windows `execution`'s objects went to (`trigger.received` names their execution). */
function windowsFed(
  events: readonly TraceEvent[],
  execution: string,
): { trigger: string; execution: string }[] {
  const out = new Map<string, string>();
  for (const e of events) {
    if (e.execution !== execution || e.kind !== 'trigger.received') continue;
    const target = (e.output as { execution?: unknown } | undefined)?.execution;
    if (typeof target === 'string') out.set(target, e.node);
  }
  return [...out].map(([target, trigger]) => ({ trigger, execution: target }));
}

/** One line per trigger: "vote: 4 received, fired vote [a, b, c], dropped d (late)". */
function triggerLines(triggers: readonly TriggerSummary[]): string[] {
  return triggers.map((t) => {
    const fired = t.fired
      .map((f) => (f.members ? `${f.instance} [${f.members.join(', ')}]` : f.instance))
      .join('; ');
    const dropped = t.dropped.map((d) => `${d.from} ${d.key} (${d.reason})`).join('; ');
    return `trigger ${t.trigger}: ${t.received} received, ${t.fired.length} run(s) fired${fired ? `: ${fired}` : ''}${dropped ? `; dropped ${dropped}` : ''}`;
  });
}

/** The step table: one row per instance from the shared fold (`summarizeInstances`). */
function table(rows: readonly InstanceRow[]): string {
  const header = [
    'instance',
    'cloud',
    'status',
    'duration ms',
    'invocations',
    'billed ms',
    'cost USD',
  ];
  const body = rows.map((r) => [
    r.instance,
    r.cloud,
    r.status,
    r.durationMs === null ? '-' : r.durationMs.toFixed(1),
    String(r.invocations),
    String(r.billedMs),
    r.costUsd.toExponential(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export const runCommand: Command = defineCommand({
  name: 'run',
  summary: 'Run a workflow once on the local clouds and print its result',
  synopsis: [
    '<graph.json> [--input <json|@file>] [--faults <spec>] [--seed <n>] [--json]',
    '    [--clouds <clouds.json>] [--profiles <dir>] [--keep] [--timeout <seconds>]',
    '<graph.json|workflowId> --api [<url>] [--input <json|@file>] [--json]',
  ],
  positionals: { min: 1, max: 1, what: 'the graph file: jointflow run <graph.json>' },
  description: `Compiles the graph, starts the local clouds in a temporary directory, deploys, runs one execution
and prints its result and a per-step summary (instance, cloud, duration, billed cost), then what
each data trigger received, fired (with the objects each run took) and dropped.
With --api, deploys through a running API ('jointflow up') instead (printing the deploy's
progress), starts the execution there and follows its trace events live to the result.`,
  flags: {
    input: {
      type: 'string',
      value: '<json|@file>',
      help: "the execution input as JSON, or @file; default: the graph's sampleInput",
    },
    faults: {
      type: 'string',
      value: '<spec>',
      help: 'faults to inject, e.g.\ncrash=0.2,duplicate=0.2,drop=0.1,reorder=50,outage=aliyun-local:500-3000\n(crash splits evenly between crash before and after commit)',
    },
    seed: {
      type: 'integer',
      value: '<n>',
      help: 'seed of the fault injection (default 1): the same seed injects the same faults',
    },
    json: { type: 'boolean', help: 'print one JSON document instead of text' },
    clouds: {
      type: 'string',
      value: '<clouds.json>',
      help: 'a clouds file (see examples/clouds/): which clouds, on which provider; emulated clouds get stand-ins on 127.0.0.1 (default: the two local clouds)',
    },
    profiles: {
      type: 'string',
      value: '<dir>',
      help: 'directory of cloud profiles as JSON (default: the built-in aws-local, aliyun-local)',
    },
    keep: { type: 'boolean', help: "keep the clouds' data directory and print its path" },
    timeout: {
      type: 'number',
      value: '<seconds>',
      what: 'a number of seconds',
      min: 1,
      max: 86_400,
      help: 'give up on the execution after this many seconds (default 120); long workflows (e.g. examples/federated-learning with many rounds, under --faults) need more',
    },
    api: {
      type: 'string',
      value: '<url>',
      optionalValue: /^https?:\/\//,
      help: `use the API at <url> (default $JOINTFLOW_API or ${DEFAULT_API_URL}); the token comes from $JOINTFLOW_TOKEN or $JOINTFLOW_HOME/token`,
    },
  },
  examples: [
    'jointflow run examples/iot-pipeline.json',
    'jointflow run examples/monte-carlo-pi.json --faults crash=0.2,drop=0.1 --seed 7 --json',
  ],
  exitCodes: '0 the execution succeeded, 1 it failed, 2 bad usage.',
  async run({ flags, positionals: [file = ''] }) {
    const options: RunArgs = {
      file,
      seed: flags.seed ?? 1,
      json: flags.json === true,
      keep: flags.keep === true,
      ...(flags.input !== undefined ? { input: flags.input } : {}),
      ...(flags.faults !== undefined ? { faults: flags.faults } : {}),
      ...(flags.clouds !== undefined ? { clouds: flags.clouds } : {}),
      ...(flags.profiles !== undefined ? { profiles: flags.profiles } : {}),
      ...(flags.timeout !== undefined ? { timeoutMs: Math.round(flags.timeout * 1000) } : {}),
      ...(flags.api !== undefined ? { api: flags.api } : {}),
    };
    if (options.api !== undefined) return runThroughApi(options);
    const graph = readJsonFile(options.file);
    const input = parseInput(options.input, graph);
    let cloudsFile: CloudsFile | undefined;
    let profiles: CloudProfile[];
    try {
      cloudsFile = options.clouds === undefined ? undefined : loadCloudsFile(options.clouds);
      const available = loadProfileDir(options.profiles);
      profiles = cloudsFile === undefined ? available : resolveProfiles(cloudsFile, available);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const compiled = compile(graph, { clouds: profiles });
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
    if (compiled.ir === undefined || errors.length > 0) {
      for (const d of compiled.diagnostics) console.error(formatDiagnostic(d));
      throw new UsageError(`${options.file} does not compile; fix the errors above`);
    }
    const ir: WorkflowIR = compiled.ir;
    let faults: ReturnType<typeof parseFaultArg> | undefined;
    try {
      if (options.faults !== undefined) {
        faults = parseFaultArg(
          options.faults,
          profiles.map((p) => p.id),
          options.seed,
        );
      }
    } catch (error) {
      if (error instanceof FaultArgError) throw new UsageError(error.message);
      throw error;
    }

    const dataDir = mkdtempSync(join(tmpdir(), 'jointflow-run-'));
    const collector = await startTraceCollector();
    const running = await startClouds({
      ...(cloudsFile === undefined ? {} : { clouds: cloudsFile }),
      ...(options.profiles === undefined ? {} : { profileDir: options.profiles }),
      dataDir,
      logs: options.json ? 'ignore' : 'inherit',
    });
    try {
      const { shims, emulators } = running;
      const deployment = `run-${Date.now().toString(36)}`;
      await deployWorkflow(shims, ir, deployment, {
        JF_TRACE_URL: collector.url,
        JF_TRACE_SECRET: collector.secret,
      });
      if (faults) await Promise.all(emulators.map((s) => s.local.injectFaults(faults[s.id] ?? {})));
      const ports = outsidePorts(shims, running.peers);
      let run: Awaited<ReturnType<typeof runExecution>>;
      try {
        run = await runExecution(ports, {
          ir,
          deployment,
          input,
          // Zip functions on emulated clouds load the cloud SDKs on a cold start and post their
          // trace at the end of an invocation: give them longer before a redrive.
          stallMs: cloudsFile === undefined ? 1_500 : 5_000,
          lastProgressAt: (e) => collector.lastEventAt(e),
          // A busy or paused queue (e.g. an injected outage) is waited for, not redriven.
          stillQueued: stillQueuedOn(emulators),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        });
      } catch (error) {
        // Every cloud that could run the start step refused it (e.g. an injected outage with no
        // failover): nothing ran, so this is the execution failing to start, not a crash.
        if (!(error instanceof InvokeError)) throw error;
        const start = ir.functions[ir.start];
        const clouds = start ? [start.cloud, ...start.failover].join(', ') : ir.start;
        console.error(
          `execution did not start: ${error.code}: ${error.message}. The start step "${ir.start}" runs on ${clouds}; give it a failover cloud or retry when the cloud is back.`,
        );
        return 1;
      }
      // Let the clouds' outboxes deliver the last events (billing comes after the result commit).
      await new Promise((resolve) => setTimeout(resolve, 300));
      // A time window runs as an execution of its own once it closes: wait for each window this
      // execution fed (the local clouds stop when this command ends).
      const windows: WindowRun[] = [];
      for (const w of windowsFed(collector.events(), run.execution)) {
        const fed = await runExecution(ports, {
          ir,
          deployment,
          input: null,
          execution: w.execution,
          stallMs: cloudsFile === undefined ? 1_500 : 5_000,
          lastProgressAt: (e) => collector.lastEventAt(e),
          stillQueued: stillQueuedOn(emulators),
        });
        windows.push({ ...w, ...fed.result });
      }
      const steps = summarizeInstances(collector.events(), run.execution);
      const triggers = summarizeTriggers(collector.events(), run.execution);
      const totalCost = steps.reduce((sum, s) => sum + s.costUsd, 0);
      const ok = run.result.status === 'succeeded';
      if (options.json) {
        console.log(
          JSON.stringify(
            {
              execution: run.execution,
              ...run.result,
              elapsedMs: run.elapsedMs,
              redrives: run.redrives,
              totalCostUsd: totalCost,
              steps,
              ...(triggers.length > 0 ? { triggers } : {}),
              ...(windows.length > 0 ? { windows } : {}),
            },
            null,
            2,
          ),
        );
      } else {
        if (run.result.status === 'succeeded')
          console.log(JSON.stringify(run.result.output, null, 2));
        else if (run.result.status === 'failed') {
          console.error(
            `execution ${run.execution} failed at ${run.result.instance}: ${run.result.error.message}`,
          );
        } else if (run.result.status === 'timed-out') {
          console.error(
            `execution ${run.execution} timed out after ${Math.round(run.elapsedMs / 1000)} s; give --timeout <seconds> for a longer workflow`,
          );
        } else console.error(`execution ${run.execution}: ${run.result.status}`);
        console.log(`\n${table(steps)}`);
        if (triggers.length > 0) console.log(`\n${triggerLines(triggers).join('\n')}`);
        for (const w of windows) {
          console.log(`\ntime window ${w.trigger} ran as execution ${w.execution}: ${w.status}`);
          if (w.status === 'succeeded') console.log(JSON.stringify(w.output, null, 2));
          else if (w.status === 'failed') console.error(w.error.message);
        }
        console.log(
          `\nexecution ${run.execution}: ${run.result.status} in ${run.elapsedMs} ms, ${run.redrives} redrive(s), billed ${totalCost.toExponential(3)} USD`,
        );
        if (options.keep) console.log(`data kept in ${dataDir}`);
      }
      return ok ? 0 : 1;
    } finally {
      await running.stop();
      await collector.close();
      if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
    }
  },
});

/** `run --api`: the same run through a running API, so it shows up in the web app too. */
async function runThroughApi(options: RunArgs): Promise<number> {
  if (options.faults !== undefined || options.clouds !== undefined || options.keep) {
    throw new UsageError(
      '--faults, --clouds and --keep apply to the temporary local clouds; with --api inject faults through POST /api/v1/clouds/:id/faults',
    );
  }
  // A workflow id names a stored workflow: its sample input lives in the API, so --input is needed.
  const isFile = options.file.endsWith('.json');
  const input = parseInput(options.input, isFile ? readJsonFile(options.file) : {});
  const client = connectApi(options.api ? { api: options.api } : {});
  const print = options.json ? () => {} : (line: string) => console.log(line);
  try {
    const run = await runViaApi(client, options.file, input, {
      print,
      // Deploy progress: on stdout with the events, on stderr when stdout is one JSON document.
      onProgress: (line) => (options.json ? console.error(line) : console.log(line)),
    });
    if (!('execution' in run)) {
      const failed = run.deployment.functions.filter((f) => f.status === 'failed');
      console.error(
        `jointflow run: deployment ${run.deployment.deploymentId} ${run.deployment.status}: ${failed.map((f) => `${f.name} on ${f.cloud}: ${f.reason ?? 'failed'}`).join('; ')}`,
      );
      return 1;
    }
    if (run.end === undefined) {
      console.error(
        `jointflow run: the event stream ended before execution ${run.execution} did; follow it with 'jointflow trace ${run.execution}'`,
      );
      return 1;
    }
    if (options.json) {
      console.log(
        JSON.stringify(
          { execution: run.execution, deployment: run.deployment.deploymentId, ...run.end },
          null,
          2,
        ),
      );
    } else {
      console.log(`\nexecution ${run.execution} ${run.end.status}`);
      if (run.end.result !== undefined) console.log(JSON.stringify(run.end.result, null, 2));
      if (run.end.error !== undefined) console.error(`error: ${run.end.error.message}`);
    }
    return run.end.status === 'succeeded' ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    console.error(`jointflow run: ${describeApiFailure(error, client.url)}`);
    return 1;
  }
}
