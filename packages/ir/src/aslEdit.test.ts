import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importAsl } from './asl';
import { aslDataFlowOf, withAslDataFlow } from './aslEdit';
import { readAslStepSpec, TASK_STUB } from './aslStepCode';

const dir = mkdtempSync(join(tmpdir(), 'jf-asl-edit-'));
let modules = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Handler = (input: unknown, ctx?: unknown) => Promise<unknown>;

async function load(code: string): Promise<Handler> {
  const file = join(dir, `step${++modules}.mjs`);
  writeFileSync(file, code);
  return ((await import(pathToFileURL(file).href)) as { handler: Handler }).handler;
}

const imported = (state: Record<string, unknown>) => {
  const { graph } = importAsl({ StartAt: 'S', States: { S: { ...state, End: true } } });
  const code = graph?.nodes.find((n) => n.name === 'S')?.code;
  if (code === undefined) throw new Error('no step');
  return code;
};

describe('the data flow of an imported step, shown and edited', () => {
  it('shows the ASL fields as written, also when there are none', () => {
    const code = imported({
      Type: 'Task',
      Resource: 'arn:aws:states:us-east-1:123456789012:activity:review',
      InputPath: '$.order',
      ResultPath: '$.review',
    });
    expect(aslDataFlowOf(code)).toEqual({
      state: 'S',
      type: 'Task',
      allowed: ['InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath'],
      fields: { InputPath: '$.order', ResultPath: '$.review' },
    });
    expect(aslDataFlowOf(imported({ Type: 'Wait', Seconds: 1 }))?.fields).toEqual({});
    // A JSONata-mode state has no JSONPath fields; a Choice no step code.
    const jsonata = imported({ Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% $ %}' });
    expect(aslDataFlowOf(jsonata)).toBeUndefined();
  });

  it('runs the edited fields, and keeps a call written into the code by hand', async () => {
    const code = imported({
      Type: 'Task',
      Resource: 'arn:aws:states:us-east-1:123456789012:activity:review',
    }).replace(
      TASK_STUB,
      'async function callResource(input, _ctx) {\n  return { seen: input };\n}',
    );
    const edited = withAslDataFlow(code, {
      Parameters: { 'id.$': '$.order.id', fixed: "$['x']$&" },
      ResultSelector: { 'ok.$': '$.seen.id' },
      ResultPath: '$.result',
    });
    if (!('code' in edited)) throw new Error(edited.problems.join('; '));
    expect(edited.code).toContain('return { seen: input };');
    expect(readAslStepSpec(edited.code)?.asl?.fields).toMatchObject({ ResultPath: '$.result' });
    const handler = await load(edited.code);
    await expect(handler({ order: { id: 7 } }, { attempt: 1 })).resolves.toEqual({
      order: { id: 7 },
      result: { ok: 7 },
    });
    // Back to no data flow: the call's result is the output.
    const cleared = withAslDataFlow(edited.code, {});
    if (!('code' in cleared)) throw new Error('not cleared');
    await expect((await load(cleared.code))({ a: 1 }, { attempt: 1 })).resolves.toEqual({
      seen: { a: 1 },
    });
  });

  it('refuses what the step code does not run, naming it, and leaves the code alone', () => {
    const code = imported({ Type: 'Wait', Seconds: 1 });
    expect(withAslDataFlow(code, { ResultPath: '$.x', InputPath: '$..deep' })).toEqual({
      problems: [
        'ResultPath is not a data-flow field of a Wait state (it has InputPath, OutputPath)',
        expect.stringContaining('InputPath "$..deep"'),
      ],
    });
    const task = imported({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject' });
    expect(withAslDataFlow(task, { Parameters: { 'token.$': '$$.Task.Token' } })).toEqual({
      problems: [expect.stringContaining('$$.Task.Token')],
    });
    expect(withAslDataFlow(task, ['InputPath'])).toHaveProperty('problems');
    expect(withAslDataFlow('export const handler = () => 1;', {})).toHaveProperty('problems');
  });

  it('keeps hostile text as data', async () => {
    const code = imported({ Type: 'Pass' });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal `${` is the attack.
    const hostile = '"); globalThis.pwned = 1; ("\n\u2028*/`${1}`';
    const edited = withAslDataFlow(code, { Parameters: { [hostile]: hostile } });
    if (!('code' in edited)) throw new Error(edited.problems.join('; '));
    const probe = globalThis as { pwned?: unknown };
    delete probe.pwned;
    await expect((await load(edited.code))({}, { attempt: 1 })).resolves.toEqual({
      [hostile]: hostile,
    });
    expect(probe.pwned).toBeUndefined();
  });
});
