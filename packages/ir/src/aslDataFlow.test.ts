import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importAsl } from './asl';
import { template } from './aslDataFlow';
import { ASL_WAIT_KEY } from './aslStepCode';
import { compile } from './compile';
import { defaultCloudProfiles } from './defaultClouds';

const dir = mkdtempSync(join(tmpdir(), 'jf-asl-flow-'));
let modules = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Handler = (input: unknown, ctx?: unknown) => Promise<unknown>;

/** Imports a one-state machine and loads the step code of that state. */
async function stepOf(state: Record<string, unknown>): Promise<Handler> {
  const { graph, diagnostics } = importAsl({
    StartAt: 'S',
    States: {
      S: { ...(state.Type === 'Succeed' || state.Type === 'Fail' ? {} : { End: true }), ...state },
    },
  });
  expect(diagnostics.filter((d) => d.code !== 'ASL_TASK_STUB')).toEqual([]);
  if (!graph) throw new Error('no graph');
  expect(compile(graph, { clouds: defaultCloudProfiles }).diagnostics).not.toContainEqual(
    expect.objectContaining({ severity: 'error' }),
  );
  const code = graph.nodes.find((n) => n.name === 'S')?.code ?? '';
  const file = join(dir, `step${++modules}.mjs`);
  writeFileSync(file, code);
  return ((await import(pathToFileURL(file).href)) as { handler: Handler }).handler;
}

const ctx = { execution: 'exec-1', instance: 'S/map:Each=3', node: 'S', attempt: 1 };

// Expected outputs follow the Step Functions documentation on input and output processing:
// InputPath -> Parameters -> task -> ResultSelector -> ResultPath -> OutputPath.
describe('data flow in imported step code', () => {
  it('Pass: Result placed at ResultPath, then OutputPath', async () => {
    const step = await stepOf({
      Type: 'Pass',
      Result: { x: 1 },
      ResultPath: '$.result',
      OutputPath: '$.result',
    });
    await expect(step({ a: 1 }, ctx)).resolves.toEqual({ x: 1 });
    const keep = await stepOf({ Type: 'Pass', Result: 'ignored', ResultPath: null });
    await expect(keep({ a: 1 }, ctx)).resolves.toEqual({ a: 1 });
  });

  it('Pass: InputPath and Parameters with paths, context and intrinsics', async () => {
    const step = await stepOf({
      Type: 'Pass',
      InputPath: '$.order',
      Parameters: {
        'id.$': '$.id',
        'type.$': "$['detail-type']",
        'first.$': '$.items[0]',
        'greeting.$': "States.Format('Order {} has {} items', $.id, States.ArrayLength($.items))",
        'execution.$': '$$.Execution.Id',
        'index.$': '$$.Map.Item.Index',
        fixed: { nested: [1, 2] },
        'list.$': 'States.Array($.id, 7)',
      },
      ResultPath: '$.shaped',
    });
    await expect(
      step({ order: { id: 'o-1', 'detail-type': 'Placed', items: ['a', 'b'] } }, ctx),
    ).resolves.toEqual({
      // ResultPath writes into the state's input, not into what InputPath selected.
      order: { id: 'o-1', 'detail-type': 'Placed', items: ['a', 'b'] },
      shaped: {
        id: 'o-1',
        type: 'Placed',
        first: 'a',
        greeting: 'Order o-1 has 2 items',
        execution: 'exec-1',
        index: 3,
        fixed: { nested: [1, 2] },
        list: ['o-1', 7],
      },
    });
  });

  it('Task: Parameters feed the call; ResultSelector, ResultPath and OutputPath shape its result', async () => {
    const step = await stepOf({
      Type: 'Task',
      // An activity: Jointflow cannot call it, so the step keeps the pass-through stub.
      Resource: 'arn:aws:states:us-east-1:123456789012:activity:review',
      Parameters: { FunctionName: 'f', 'Payload.$': '$' },
      ResultSelector: { 'body.$': '$.Payload' },
      ResultPath: '$.call',
      OutputPath: '$.call.body',
    });
    // The stub passes its (effective) input through: the result is { FunctionName, Payload }.
    await expect(step({ n: 5 }, ctx)).resolves.toEqual({ n: 5 });
  });

  it('$$.Execution.Input and StartTime come from ctx.executionStart(), asked only when used', async () => {
    const step = await stepOf({
      Type: 'Pass',
      Parameters: { 'id.$': '$$.Execution.Input.id', 'at.$': '$$.Execution.StartTime' },
    });
    let reads = 0;
    const withStart = {
      ...ctx,
      executionStart: async () => {
        reads += 1;
        return { input: { id: 'x-1' }, startedAt: Date.UTC(2026, 0, 2) };
      },
    };
    await expect(step({}, withStart)).resolves.toEqual({
      id: 'x-1',
      at: '2026-01-02T00:00:00.000Z',
    });
    expect(reads).toBe(1);
    // A host without it (the reference interpreter): the path is missing, as any other.
    await expect(step({}, ctx)).rejects.toMatchObject({ name: 'States.Runtime' });
    const plain = await stepOf({ Type: 'Pass', Parameters: { 'name.$': '$$.State.Name' } });
    await plain({}, withStart);
    expect(reads).toBe(1);
  });

  it('a path missing from the data fails with States.Runtime, and OutputPath null gives {}', async () => {
    const step = await stepOf({ Type: 'Pass', InputPath: '$.missing' });
    await expect(step({ a: 1 }, ctx)).rejects.toMatchObject({ name: 'States.Runtime' });
    const empty = await stepOf({ Type: 'Succeed', OutputPath: null });
    await expect(empty({ a: 1 }, ctx)).resolves.toEqual({});
  });

  it('Wait reads SecondsPath or TimestampPath from its input; a long or read wait is durable', async () => {
    const importedWait = (state: Record<string, unknown>) =>
      importAsl({ StartAt: 'W', States: { W: { Type: 'Wait', End: true, ...state } } });
    const bySeconds = importedWait({ SecondsPath: '$.delay' });
    expect(bySeconds.diagnostics).toEqual([]);
    // The step says until when; the edge to W-after carries the output and holds W-after.
    expect(bySeconds.graph?.edges).toEqual([
      {
        id: 'e1',
        source: 'W',
        target: 'W-after',
        mapping: 'output',
        notBefore: `\`${ASL_WAIT_KEY}\``,
      },
    ]);
    const code = bySeconds.graph?.nodes[0]?.code ?? '';
    const file = join(dir, `step${++modules}.mjs`);
    writeFileSync(file, code);
    const wait = ((await import(pathToFileURL(file).href)) as { handler: Handler }).handler;
    const before = Date.now();
    const waited = (await wait({ delay: 3600, v: 1 }, ctx)) as Record<string, unknown>;
    expect(waited.output).toEqual({ delay: 3600, v: 1 });
    expect(waited[ASL_WAIT_KEY]).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(waited[ASL_WAIT_KEY]).toBeLessThanOrEqual(Date.now() + 3_600_000);
    await expect(wait({ delay: 'soon' }, ctx)).rejects.toMatchObject({ name: 'States.Runtime' });
    // A year-long fixed wait imports too (it was ASL_WAIT_TOO_LONG); a minute is held in step.
    const year = importedWait({ Seconds: 31_536_000 });
    expect(year.diagnostics).toEqual([]);
    expect(year.graph?.nodes.map((n) => n.name)).toEqual(['W', 'W-after']);
    expect(importedWait({ Seconds: 60 }).graph?.nodes.map((n) => n.name)).toEqual(['W']);
    expect(importedWait({ Timestamp: 'yesterday' }).diagnostics.map((d) => d.code)).toContain(
      'ASL_INVALID',
    );
  });

  it('Fail takes its Error and Cause from ErrorPath and CausePath', async () => {
    const fail = await stepOf({ Type: 'Fail', ErrorPath: '$.code', CausePath: '$.why' });
    await expect(fail({ code: 'Out.Of.Stock', why: 'sku 7' }, ctx)).rejects.toMatchObject({
      name: 'Out.Of.Stock',
      message: 'Out.Of.Stock: sku 7',
    });
  });

  it('evaluates wildcards, slices and filters to arrays, as JSONPath does', async () => {
    const step = await stepOf({
      Type: 'Pass',
      InputPath: '$.data',
      Parameters: {
        'names.$': '$.items[*].name',
        'rest.$': '$.items[1:]',
        'last.$': '$.items[-1:]',
        'cheap.$': '$.items[?(@.price < 10)].name',
        'fruit.$': "$.items[?(@.kind == 'fruit')]",
        'bare.$': '$.items[?(@.kind==veg)].name',
        'first.$': '$.[0]',
        'values.$': '$.tags.*',
      },
      End: true,
    });
    const items = [
      { name: 'apple', price: 3, kind: 'fruit' },
      { name: 'melon', price: 12, kind: 'fruit' },
      { name: 'leek', kind: 'veg' },
    ];
    await expect(step({ data: { items, tags: { a: 1, b: 2 }, 0: 'zero' } }, ctx)).resolves.toEqual({
      names: ['apple', 'melon', 'leek'],
      rest: items.slice(1),
      last: [items[2]],
      cheap: ['apple'],
      fruit: items.slice(0, 2),
      bare: ['leek'],
      first: 'zero',
      values: [1, 2],
    });
  });

  it('names what it cannot translate and leaves that field out', () => {
    const { diagnostics } = importAsl({
      StartAt: 'S',
      States: {
        S: {
          Type: 'Pass',
          Parameters: { 'ids.$': '$..id', 'h.$': "States.Hash($.x, 'SHA-256')" },
          End: true,
        },
      },
    });
    expect(diagnostics.map((d) => [d.code, d.node])).toEqual([['ASL_DATA_FLOW_NOT_IMPORTED', 'S']]);
    expect(diagnostics[0]?.message).toContain('$..id');
    expect(template({ 'h.$': "States.Hash($.x, 'SHA-256')" })).toEqual({
      problem: '"h.$": the intrinsic States.Hash is not supported by the imported step code',
    });
  });
});
