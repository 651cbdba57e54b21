import { describe, expect, it } from 'vitest';
import { loadCompiled, runToEnd } from './compiledRuns';

/**
 * An edge's `notBefore` (a durable wait): the step commits at once, and its successor is invoked
 * with `notBefore` = the time its expression gives over the committed output, so every copy of
 * the step sends the same time and the successor does not run before it.
 */

const code = (body: string) => `export async function handler(input: any) { ${body} }`;

const waitGraph = (notBefore: string) => ({
  name: 'durable-wait',
  nodes: [
    {
      kind: 'task' as const,
      name: 'plan',
      cloud: 'aws-local',
      code: code('return { until: Date.now() + input.ms, value: input.value };'),
    },
    {
      kind: 'task' as const,
      name: 'later',
      cloud: 'aws-local',
      code: code('return { value: input, ranAt: Date.now() };'),
    },
  ],
  edges: [{ id: 'e1', source: 'plan', target: 'later', mapping: 'value', notBefore }],
});

describe('notBefore on an edge', () => {
  it('holds the successor until the time the committed output gives', async () => {
    const { ir, handlers } = await loadCompiled(waitGraph('until'));
    expect(ir.functions.plan?.continuations[0]?.notBefore).toBe('until');
    const started = Date.now();
    const { result, report, events } = await runToEnd(ir, handlers, { ms: 400, value: 7 });
    expect(report.violations).toEqual([]);
    expect(result.status).toBe('succeeded');
    const output = (result as { output: { value: number; ranAt: number } }).output;
    expect(output.value).toBe(7);
    expect(output.ranAt - started).toBeGreaterThanOrEqual(400);
    const committed = events.filter((e) => e.kind === 'step.succeeded').map((e) => e.instance);
    expect(committed.sort()).toEqual(['later', 'plan']);
  });

  it('sends the same time from every copy under duplicates and crashes', async () => {
    const { ir, handlers } = await loadCompiled(waitGraph('until'));
    for (const seed of [1, 2, 3]) {
      const started = Date.now();
      const { result, report } = await runToEnd(
        ir,
        handlers,
        { ms: 200, value: seed },
        {
          faults: {
            seed,
            duplicate: 0.5,
            crash: { 'before-commit': 0.2, 'after-commit': 0.2, 'before-invoke': 0.2 },
          },
        },
      );
      expect(report.violations).toEqual([]);
      const output = (result as { output: { value: number; ranAt: number } }).output;
      expect(output.value).toBe(seed);
      expect(output.ranAt - started).toBeGreaterThanOrEqual(200);
    }
  });

  it("waits a wait longer than half the target's timeout in slices, each passed on anew", async () => {
    const graph = waitGraph('until');
    const later = graph.nodes[1];
    if (later === undefined) throw new Error('no node');
    // Slices of 500 ms (half of 1 s): the invocation is passed on twice before it is due.
    const slow = { ...graph, nodes: [graph.nodes[0], { ...later, timeoutMs: 1_000 }] };
    const { ir, handlers } = await loadCompiled(slow);
    const started = Date.now();
    const { result, report } = await runToEnd(ir, handlers, { ms: 1_300, value: 3 });
    expect(report.violations).toEqual([]);
    const output = (result as { output: { value: number; ranAt: number } }).output;
    expect(output.value).toBe(3);
    expect(output.ranAt - started).toBeGreaterThanOrEqual(1_300);
  });

  it('accepts an ISO 8601 time, and fails the step on anything else', async () => {
    const iso = await loadCompiled(waitGraph('$fromMillis(until)'));
    const ok = await runToEnd(iso.ir, iso.handlers, { ms: 50, value: 1 });
    expect(ok.result.status).toBe('succeeded');
    const bad = await loadCompiled(waitGraph('"soon"'));
    const failed = await runToEnd(bad.ir, bad.handlers, { ms: 50, value: 1 });
    expect(failed.result).toMatchObject({ status: 'failed' });
    expect(JSON.stringify(failed.result)).toContain('RUNTIME_BAD_NOT_BEFORE');
  });
});
