import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import jsonata from 'jsonata';
import { afterAll, describe, expect, it } from 'vitest';
import { importAsl } from './asl';
import { ASL_WAIT_KEY, readAslStepSpec, TASK_STUB } from './aslStepCode';
import { compile } from './compile';
import { defaultCloudProfiles } from './defaultClouds';
import type { Graph } from './graph';

/**
 * The ASL corpus (aslCorpus/*.json): definitions written for Jointflow to cover what public
 * Step Functions definitions use. Each file holds the definition, the diagnostics the import
 * must give (code and node, in order), and expectations written from the Step Functions
 * documentation: step outputs (`steps`, the generated code run on an input, with the Task's call
 * made to return or throw), Choice routing (`routes`) and edge mappings (`edges`).
 */

interface StepCheck {
  node: string;
  input: unknown;
  /** What the Task's call does instead of passing its input through. */
  call?: { returns?: unknown; throws?: string; times?: number; echo?: boolean };
  output?: unknown;
  /** The error name the step must fail with. */
  error?: string;
  /** The Retry waits (seconds) the step must have asked for, in order. */
  delays?: number[];
  /**
   * A durable Wait: its step returns `{ [ASL_WAIT_KEY]: due, output }`; `output` above is the
   * inner output, and the due time is `waitsSeconds` from now (within 2 s) or `waitsUntil`.
   */
  waitsSeconds?: number;
  waitsUntil?: string;
  /** What `ctx.executionStart()` answers (`$$.Execution.Input`, StartTime); absent: no such ctx. */
  execution?: { input: unknown; startedAt: string };
}

interface RouteCheck {
  choice: string;
  input: unknown;
  /** The node the first holding edge leads to; null when none holds. */
  to: string | null;
  /** What that node receives (the edge's mapping applied). */
  receives?: unknown;
}

/** An edge's mapping evaluated over a source output. */
interface EdgeCheck {
  from: string;
  to: string;
  input: unknown;
  receives: unknown;
}

interface CorpusEntry {
  about: string;
  edges?: EdgeCheck[];
  definition: unknown;
  diagnostics: string[];
  steps?: StepCheck[];
  routes?: RouteCheck[];
  expectNodes?: Record<string, Record<string, unknown>>;
  /** The call each listed Task's code makes (aslResources.ts); null: the pass-through stub. */
  calls?: Record<string, unknown>;
}

const corpusDir = fileURLToPath(new URL('./aslCorpus/', import.meta.url));
const entries = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map(
    (f) =>
      [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(corpusDir, f), 'utf8'))] as const,
  );

const scratch = mkdtempSync(join(tmpdir(), 'jf-asl-corpus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let modules = 0;

const probe = globalThis as { corpusCalls?: number; corpusDelays?: number[] };
const SDK_CALL_START = 'async function callResource(input, _ctx) {';
const RETRY_SLEEP = 'await new Promise((resolve) => setTimeout(resolve, delay * 1000));';

/** The step's code with its call replaced as `call` says, and Retry waits recorded, not slept. */
function testableCode(code: string, call: StepCheck['call']): string {
  let out = code.replace(RETRY_SLEEP, 'globalThis.corpusDelays.push(delay);');
  if (call !== undefined) {
    if (!out.includes(TASK_STUB)) {
      // A Task that really calls (aslResources.ts): its SDK call gives way to the fake below,
      // so the check runs without AWS; the call itself is tested against stand-ins in
      // packages/local-cloud (aslCalls.test.ts).
      expect(out).toContain(SDK_CALL_START);
      out = out
        .replace(/^import \* as sdk from .*$/m, 'const sdk = {};')
        .replace(SDK_CALL_START, 'async function realCallResource(input, _ctx) {')
        .replace('export async function handler(', `${TASK_STUB}\nexport async function handler(`);
    }
    const throws =
      call.throws === undefined
        ? ''
        : `if (globalThis.corpusCalls <= ${call.times ?? 1}) { const e = new Error('the call failed'); e.name = ${JSON.stringify(call.throws)}; throw e; }`;
    const result = call.echo === true ? 'input' : JSON.stringify(call.returns ?? null);
    out = out.replace(
      TASK_STUB,
      `async function callResource(input, _ctx) {\n  globalThis.corpusCalls += 1;\n  ${throws}\n  return ${result};\n}`,
    );
  }
  return out;
}

async function runStep(graph: Graph, check: StepCheck): Promise<unknown> {
  const node = graph.nodes.find((n) => n.name === check.node);
  if (node === undefined) throw new Error(`no node ${check.node}`);
  const file = join(scratch, `step${++modules}.mjs`);
  writeFileSync(file, testableCode(node.code, check.call));
  const { handler } = (await import(pathToFileURL(file).href)) as {
    handler: (input: unknown, ctx: unknown) => Promise<unknown>;
  };
  probe.corpusCalls = 0;
  probe.corpusDelays = [];
  const started = check.execution;
  const ctx = {
    execution: 'exec-1',
    instance: check.node,
    node: check.node,
    attempt: 1,
    ...(started === undefined
      ? {}
      : {
          executionStart: async () => ({
            input: started.input,
            startedAt: Date.parse(started.startedAt),
          }),
        }),
  };
  return handler(structuredClone(check.input), ctx).then(
    (output) => ({ output }),
    (error: unknown) => ({ error: error instanceof Error ? error.name : String(error) }),
  );
}

async function route(
  graph: Graph,
  check: RouteCheck,
): Promise<{ to: string | null; receives?: unknown }> {
  // As the compiler orders a choice's continuations: guarded edges in order, the default last.
  const out = graph.edges.filter((e) => e.source === check.choice);
  const ordered = [
    ...out.filter((e) => e.guard !== undefined),
    ...out.filter((e) => e.guard === undefined),
  ];
  for (const edge of ordered) {
    if (edge.guard !== undefined && !(await jsonata(edge.guard).evaluate(check.input))) continue;
    const receives =
      edge.mapping === undefined ? check.input : await jsonata(edge.mapping).evaluate(check.input);
    return { to: edge.target, receives };
  }
  return { to: null };
}

describe('the ASL corpus', () => {
  it('holds at least 40 definitions', () => {
    expect(entries.length).toBeGreaterThanOrEqual(40);
  });

  it.each(entries)('%s imports, compiles and behaves as in Step Functions', async (_name, raw) => {
    const entry = raw as CorpusEntry;
    const { graph, diagnostics } = importAsl(entry.definition);
    expect(diagnostics.map((d) => (d.node === undefined ? d.code : `${d.code} ${d.node}`))).toEqual(
      entry.diagnostics,
    );
    if (!graph) throw new Error('no graph');
    const compiled = compile(graph, { clouds: defaultCloudProfiles });
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const [name, fields] of Object.entries(entry.expectNodes ?? {})) {
      expect(graph.nodes.find((n) => n.name === name)).toMatchObject(fields);
    }
    for (const [name, call] of Object.entries(entry.calls ?? {})) {
      const spec = readAslStepSpec(graph.nodes.find((n) => n.name === name)?.code ?? '');
      const made = spec?.kind === 'task' ? (spec.call ?? null) : 'not a Task';
      expect({ node: name, call: made }).toEqual({ node: name, call });
    }
    for (const check of entry.steps ?? []) {
      const before = Date.now();
      let outcome = (await runStep(graph, check)) as { output?: unknown; error?: string };
      if (check.waitsSeconds !== undefined || check.waitsUntil !== undefined) {
        const waited = outcome.output as Record<string, unknown> | undefined;
        const due = waited?.[ASL_WAIT_KEY] as number;
        if (check.waitsUntil !== undefined) expect(due).toBe(Date.parse(check.waitsUntil));
        else {
          expect(due).toBeGreaterThanOrEqual(before + (check.waitsSeconds ?? 0) * 1000);
          expect(due).toBeLessThanOrEqual(Date.now() + (check.waitsSeconds ?? 0) * 1000 + 2000);
        }
        outcome = { output: waited?.output };
      }
      const expected =
        check.error === undefined ? { output: check.output } : { error: check.error };
      expect({ node: check.node, ...(outcome as object) }).toEqual({
        node: check.node,
        ...expected,
      });
      if (check.delays !== undefined) expect(probe.corpusDelays).toEqual(check.delays);
    }
    for (const check of entry.edges ?? []) {
      const edge = graph.edges.find((e) => e.source === check.from && e.target === check.to);
      if (edge === undefined) throw new Error(`no edge ${check.from} -> ${check.to}`);
      const receives =
        edge.mapping === undefined
          ? check.input
          : await jsonata(edge.mapping).evaluate(check.input);
      expect({ edge: edge.id, receives }).toEqual({ edge: edge.id, receives: check.receives });
    }
    for (const check of entry.routes ?? []) {
      const taken = await route(graph, check);
      expect(taken.to).toBe(check.to);
      if (check.receives !== undefined) expect(taken.receives).toEqual(check.receives);
    }
  });
});
