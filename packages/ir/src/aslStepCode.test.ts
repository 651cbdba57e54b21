import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { importAsl } from './asl';
import { ASL_CATCH_KEY, type AslStepSpec, aslStepCode, readAslStepSpec } from './aslStepCode';
import { compile } from './compile';
import { defaultCloudProfiles } from './defaultClouds';

/**
 * Text an attacker could put in a definition: each piece would run if it were spliced into the
 * generated code, in a comment, a template literal or a string. Each sets `globalThis.pwned`.
 */
const HOSTILE = [
  'A\nglobalThis.pwned = 1; //',
  'B\r\nglobalThis.pwned = 2; //',
  '*/ globalThis.pwned = 3; /*',
  '`; globalThis.pwned = 4; `',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal `${` in a name is the attack.
  '${(globalThis.pwned = 5)}',
  'C\u2028globalThis.pwned = 6; //',
  'D\u2029globalThis.pwned = 7; //',
  '"); globalThis.pwned = 8; ("',
  "'); globalThis.pwned = 9; ('",
  '\\"); globalThis.pwned = 10; //',
  '</script><script>globalThis.pwned = 11</script>',
];

const state = globalThis as { pwned?: unknown; calls?: number };
const dir = mkdtempSync(join(tmpdir(), 'jf-asl-code-'));
let modules = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  delete state.pwned;
  state.calls = 0;
});

type Handler = (input: unknown, ctx?: unknown) => Promise<unknown>;

/** Loads generated step code as the bundler would run it (it is plain JavaScript as well as TS). */
async function load(code: string): Promise<Handler> {
  const file = join(dir, `step${++modules}.mjs`);
  writeFileSync(file, code);
  const module = (await import(pathToFileURL(file).href)) as { handler: Handler };
  return module.handler;
}

/** The code with every string literal emptied: what is left is what runs. */
function outsideStrings(code: string): string {
  return code.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
}

/** A definition that puts `text` in every name, resource, error, cause and result it can. */
function hostileDefinition(text: string) {
  return {
    Comment: text,
    StartAt: text,
    States: {
      [text]: {
        Type: 'Task',
        Resource: text,
        Retry: [{ ErrorEquals: [text], MaxAttempts: 1, IntervalSeconds: 1 }],
        Catch: [{ ErrorEquals: [text], Next: `${text} failed` }],
        Next: `${text} pass`,
      },
      [`${text} pass`]: { Type: 'Pass', Result: { [text]: text }, Next: `${text} wait` },
      [`${text} wait`]: { Type: 'Wait', Seconds: 0, Next: `${text} choice` },
      [`${text} choice`]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.x', StringEquals: text, Next: `${text} failed` }],
        Default: `${text} done`,
      },
      [`${text} done`]: {
        Type: 'Parallel',
        ResultPath: `$['${text.replace(/'/g, '')}']`,
        Branches: [
          { StartAt: text, States: { [text]: { Type: 'Pass', End: true } } },
          { StartAt: `${text}2`, States: { [`${text}2`]: { Type: 'Succeed' } } },
        ],
        Next: `${text} map`,
      },
      [`${text} map`]: {
        Type: 'Map',
        ItemsPath: '$.list',
        ItemSelector: { [`${text}.$`]: '$$.Map.Item.Value', [text]: text },
        ItemProcessor: { StartAt: text, States: { [text]: { Type: 'Succeed' } } },
        End: true,
      },
      [`${text} failed`]: { Type: 'Fail', Error: text, Cause: text },
    },
  };
}

describe('generated step code with hostile state names', () => {
  it.each(HOSTILE)('runs none of %j', async (text) => {
    const { graph, diagnostics } = importAsl(hostileDefinition(text));
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    if (!graph) throw new Error('no graph');
    expect(compile(graph, { clouds: defaultCloudProfiles }).diagnostics).not.toContainEqual(
      expect.objectContaining({ severity: 'error' }),
    );
    // Every step with code: tasks, and the joins of the Parallel and Map with data flow.
    const tasks = graph.nodes.filter((n) => n.code !== '');
    expect(tasks.length).toBe(11);
    for (const task of tasks) {
      // The text is there only as data: emptying the string literals removes every trace of it.
      const spec = readAslStepSpec(task.code);
      expect(spec?.state).toContain(text);
      const bare = outsideStrings(task.code);
      for (const piece of ['pwned', '*/', '${', '\u2028', '\u2029', '</script>']) {
        expect(bare).not.toContain(piece);
      }
      const handler = await load(task.code);
      const input = task.kind === 'join' ? [{ x: 'y' }, { x: 'y' }] : { x: 'y', list: [1] };
      const outcome = await handler(input, { attempt: 1 }).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      expect(state.pwned).toBeUndefined();
      if (spec?.kind === 'fail') {
        // The hostile text came back as the error's name: read as data, never run.
        expect(outcome).toMatchObject({ error: { name: text } });
      } else if (spec?.kind === 'result') {
        expect(outcome).toEqual({ value: { [text]: text } });
      } else {
        expect(outcome).toHaveProperty('value');
      }
    }
  });

  it('would catch a name spliced into a comment, as the importer once did', async () => {
    const spliced = `// Task state "${HOSTILE[0]}".\nexport async function handler(input) {\n  return input;\n}\n`;
    await (await load(spliced))({});
    expect(state.pwned).toBe(1);
    expect(outsideStrings(spliced)).toContain('pwned');
  });

  it('is the same program for every name: only the data line differs', () => {
    const kinds: ((s: string) => AslStepSpec)[] = [
      (s) => ({ kind: 'pass', state: s, what: s }),
      (s) => ({ kind: 'result', state: s, result: [s, { [s]: s }] }),
      (s) => ({ kind: 'wait', state: s, seconds: 1 }),
      (s) => ({ kind: 'fail', state: s, error: s, cause: s }),
      (s) => ({
        kind: 'task',
        state: s,
        resource: s,
        retry: [],
        catch: [{ errorEquals: [s], resultPath: [s] }],
        timeoutSeconds: null,
        io: {
          inputPath: [s],
          parameters: { t: 'obj', entries: [[s, { t: 'path', root: 'input', segs: [s, 0] }]] },
          resultSelector: { t: 'fn', name: 'States.Format', args: [{ t: 'lit', v: s }] },
          resultPath: [s],
          outputPath: null,
        },
      }),
    ];
    const io = (s: string) => ({
      inputPath: [s],
      parameters: { t: 'lit' as const, v: s },
      resultSelector: null,
      resultPath: [s],
      outputPath: [],
    });
    kinds.push(
      (s) => ({ kind: 'fanout', state: s, io: io(s) }),
      (s) => ({
        kind: 'items',
        state: s,
        io: io(s),
        itemsPath: [s],
        itemSelector: { t: 'path', root: 'context', segs: ['Map', 'Item', 'Value', s] },
      }),
      (s) => ({ kind: 'gather', state: s, io: io(s), shape: 'map' }),
    );
    for (const kind of kinds) {
      const plain = outsideStrings(aslStepCode(kind('plain')));
      for (const text of HOSTILE) {
        expect(outsideStrings(aslStepCode(kind(text)))).toBe(plain);
        expect(readAslStepSpec(aslStepCode(kind(text)))).toEqual(kind(text));
      }
    }
  });
});

describe('Tasks that call AWS, with hostile names and resources', () => {
  const CALLS = [
    'arn:aws:lambda:us-east-1:123456789012:function:price',
    'arn:aws:states:::lambda:invoke',
    'arn:aws:states:::dynamodb:putItem',
    'arn:aws:states:::aws-sdk:s3:getObject',
    'arn:aws:states:::sqs:sendMessage',
  ];

  it.each(HOSTILE)('imports only a client module of ours and runs none of %j', async (text) => {
    const states: Record<string, unknown> = {};
    const names = CALLS.map((_, i) => `${text} ${i}`);
    for (const [i, resource] of CALLS.entries()) {
      states[names[i] as string] = {
        Type: 'Task',
        Resource: resource,
        Parameters: { [text]: text, 'FunctionName.$': `$['${text.replace(/'/g, '')}']` },
        ...(i + 1 < CALLS.length ? { Next: names[i + 1] } : { End: true }),
      };
    }
    // The same text inside a resource that would otherwise call: it stays a stub.
    const hostileAction = `arn:aws:states:::aws-sdk:dynamodb:${text}`;
    states[`${text} x`] = { Type: 'Task', Resource: hostileAction, End: true };
    const { graph, diagnostics } = importAsl({ StartAt: names[0], States: states });
    if (!graph) throw new Error(JSON.stringify(diagnostics));
    expect(diagnostics.map((d) => d.code)).toEqual(['ASL_STATE_NOT_IMPORTED']);
    for (const node of graph.nodes) {
      const spec = readAslStepSpec(node.code);
      if (spec?.kind !== 'task') throw new Error(`not a task: ${node.name}`);
      expect(spec.call).not.toBeNull();
      const bare = outsideStrings(node.code);
      for (const piece of ['pwned', '*/', '${', '\u2028', '\u2029', '</script>']) {
        expect(bare).not.toContain(piece);
      }
      const imports = node.code.split('\n').filter((line) => line.startsWith('import'));
      expect(imports).toHaveLength(1);
      expect(imports[0]).toMatch(
        /^import \* as sdk from "@aws-sdk\/client-(lambda|dynamodb|s3|sqs)";$/,
      );
    }
    const stub = importAsl({ StartAt: 'x', States: { x: states[`${text} x`] } });
    const code = stub.graph?.nodes[0]?.code ?? '';
    expect(readAslStepSpec(code)).toMatchObject({ kind: 'task', call: null });
    expect(code).not.toContain('import ');
    expect(stub.diagnostics.map((d) => d.code)).toEqual(['ASL_TASK_STUB']);
  });

  it('is the same program for every action and function name: only the data line differs', () => {
    const spec = (s: string): AslStepSpec => ({
      kind: 'task',
      state: s,
      resource: s,
      retry: [],
      catch: [],
      timeoutSeconds: null,
      io: null,
      call: { kind: 'sdk', service: 'dynamodb', action: s, client: s, errors: s, optimized: true },
    });
    const plain = outsideStrings(aslStepCode(spec('plain')));
    for (const text of HOSTILE) expect(outsideStrings(aslStepCode(spec(text)))).toBe(plain);
  });

  it('sends JSON as text where the optimized integrations do, and answers without $metadata', async () => {
    const spec = (action: string, client: string): AslStepSpec => ({
      kind: 'task',
      state: 'T',
      resource: 'r',
      retry: [],
      catch: [],
      timeoutSeconds: null,
      io: null,
      call: { kind: 'sdk', service: 'eventbridge', action, client, errors: 'E', optimized: true },
    });
    // A stand-in for the SDK module: the client answers with what the command was given.
    const fakeSdk = [
      'const sdk = {',
      '  EventBridgeClient: class { async send(c) { return { $metadata: { httpStatusCode: 200 }, sent: c.input, at: new Date(0) }; } },',
      '  PutEventsCommand: class { constructor(input) { this.input = input; } },',
      '  StartExecutionCommand: class { constructor(input) { this.input = input; } },',
      '};',
    ].join('\n');
    const withFake = (code: string) => code.replace(/^import \* as sdk from .*$/m, fakeSdk);
    const put = await load(withFake(aslStepCode(spec('putEvents', 'EventBridgeClient'))));
    await expect(
      put({ Entries: [{ Source: 's', Detail: { a: 1 } }, { Detail: 'kept' }] }, { attempt: 1 }),
    ).resolves.toEqual({
      sent: { Entries: [{ Source: 's', Detail: '{"a":1}' }, { Detail: 'kept' }] },
      at: '1970-01-01T00:00:00.000Z',
    });
    const start = await load(withFake(aslStepCode(spec('startExecution', 'EventBridgeClient'))));
    await expect(start({ StateMachineArn: 'm', Input: { b: 2 } }, { attempt: 1 })).resolves.toEqual(
      { sent: { StateMachineArn: 'm', Input: '{"b":2}' }, at: '1970-01-01T00:00:00.000Z' },
    );
  });

  it('runs states:startExecution.sync: camelCase in, waits for the child, PascalCase out', async () => {
    const { graph, diagnostics } = importAsl({
      StartAt: 'Child',
      States: {
        Child: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: 'arn:m', Input: { x: 1 } },
          Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Failed' }],
          End: true,
        },
        Failed: { Type: 'Pass', End: true },
      },
    });
    expect(diagnostics.map((d) => d.code)).toEqual(['ASL_SYNC_IN_STEP']);
    const code = graph?.nodes.find((n) => n.name === 'Child')?.code ?? '';
    expect(graph?.nodes.find((n) => n.name === 'Child')?.timeoutMs).toBe(900_000);
    // A stand-in for @aws-sdk/client-sfn: the child is RUNNING once, then ends as `globalThis.childEnds`.
    const fakeSfn = [
      'const sdk = {',
      '  SFNClient: class {',
      '    async send(c) {',
      '      globalThis.sent.push(c.input);',
      "      if (c.kind === 'start') return { $metadata: {}, executionArn: 'arn:e', startDate: new Date(0) };",
      '      globalThis.polls += 1;',
      "      if (globalThis.polls === 1) return { $metadata: {}, executionArn: 'arn:e', status: 'RUNNING' };",
      "      return { $metadata: {}, executionArn: 'arn:e', status: globalThis.childEnds, output: '{\"y\":2}', inputDetails: { included: true } };",
      '    }',
      '  },',
      "  StartExecutionCommand: class { constructor(input) { this.input = input; this.kind = 'start'; } },",
      "  DescribeExecutionCommand: class { constructor(input) { this.input = input; this.kind = 'describe'; } },",
      '};',
    ].join('\n');
    const step = await load(code.replace(/^import \* as sdk from .*$/m, fakeSfn));
    const probe = globalThis as { sent?: unknown[]; polls?: number; childEnds?: string };
    Object.assign(probe, { sent: [], polls: 0, childEnds: 'SUCCEEDED' });
    await expect(step({ id: 1 }, { attempt: 1 })).resolves.toEqual({
      ExecutionArn: 'arn:e',
      Status: 'SUCCEEDED',
      Output: { y: 2 },
      InputDetails: { Included: true },
    });
    expect(probe.sent).toEqual([
      { stateMachineArn: 'arn:m', input: '{"x":1}' },
      { executionArn: 'arn:e' },
      { executionArn: 'arn:e' },
    ]);
    Object.assign(probe, { sent: [], polls: 0, childEnds: 'FAILED' });
    await expect(step({ id: 1 }, { attempt: 1 })).resolves.toMatchObject({
      [ASL_CATCH_KEY]: 0,
      output: { id: 1, error: { Error: 'States.TaskFailed' } },
    });
  });

  it('fails a call it cannot make with a Step Functions error name, not a crash', async () => {
    const spec = (action: string): AslStepSpec => ({
      kind: 'task',
      state: 'T',
      resource: 'arn:aws:states:::dynamodb:getItem',
      retry: [],
      catch: [{ errorEquals: ['States.ALL'], resultPath: ['error'] }],
      timeoutSeconds: 5,
      io: null,
      call: {
        kind: 'sdk',
        service: 'dynamodb',
        action,
        client: 'DynamoDBClient',
        errors: 'DynamoDB',
        optimized: true,
      },
    });
    // No such command: States.Runtime, which States.ALL does not catch (as in Step Functions).
    const unknown = await load(aslStepCode(spec('noSuchAction')));
    await expect(unknown({ TableName: 't' }, { attempt: 1 })).rejects.toMatchObject({
      name: 'States.Runtime',
    });
    // A real command whose client cannot start (no region here): <Service>.SdkClientException.
    const previous = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      const noRegion = await load(aslStepCode(spec('getItem')));
      await expect(
        noRegion({ TableName: 't', Key: { id: { S: '1' } } }, { attempt: 1 }),
      ).resolves.toMatchObject({
        [ASL_CATCH_KEY]: 0,
        output: { error: { Error: 'DynamoDB.SdkClientException' } },
      });
    } finally {
      if (previous !== undefined) process.env.AWS_REGION = previous;
    }
  });
});

/** Task code whose call runs `body` (as a user would write it) instead of passing through. */
async function taskWithCall(spec: Partial<AslStepSpec & { kind: 'task' }>, body: string) {
  const code = aslStepCode({
    kind: 'task',
    state: 'T',
    resource: 'arn:aws:lambda:::function:t',
    retry: [],
    catch: [],
    timeoutSeconds: null,
    io: null,
    ...spec,
  } as AslStepSpec);
  const stub = 'async function callResource(input, _ctx) {\n  return input;\n}';
  expect(code).toContain(stub);
  return load(code.replace(stub, `async function callResource(input, _ctx) {\n${body}\n}`));
}

const retrier = (errorEquals: string[], maxAttempts: number) => ({
  errorEquals,
  maxAttempts,
  intervalSeconds: 0,
  backoffRate: 2,
  maxDelaySeconds: null,
  jitter: 'NONE' as const,
});

// Throws a named error on the first `failures` calls, then returns the call count.
const flaky = (name: string, failures: number) => `
  globalThis.calls += 1;
  if (globalThis.calls <= ${failures}) {
    const error = new Error('call ' + globalThis.calls + ' failed');
    error.name = ${JSON.stringify(name)};
    throw error;
  }
  return { calls: globalThis.calls };`;

describe('Retry and Catch in generated Task code', () => {
  it('retries a matching error MaxAttempts times, then succeeds', async () => {
    const handler = await taskWithCall({ retry: [retrier(['Busy'], 2)] }, flaky('Busy', 2));
    await expect(handler({})).resolves.toEqual({ calls: 3 });
  });

  it('gives up after MaxAttempts retries and rethrows', async () => {
    const handler = await taskWithCall({ retry: [retrier(['Busy'], 2)] }, flaky('Busy', 5));
    await expect(handler({})).rejects.toMatchObject({ name: 'Busy', message: 'call 3 failed' });
    expect(state.calls).toBe(3);
  });

  it('lets the first matching Retrier decide: MaxAttempts 0 means no retry for that error', async () => {
    const handler = await taskWithCall(
      { retry: [retrier(['Fatal'], 0), retrier(['States.ALL'], 5)] },
      flaky('Fatal', 1),
    );
    await expect(handler({})).rejects.toMatchObject({ name: 'Fatal' });
    expect(state.calls).toBe(1);
  });

  it('matches States.ALL and States.TaskFailed, but TaskFailed not a timeout', async () => {
    const all = await taskWithCall({ retry: [retrier(['States.ALL'], 1)] }, flaky('Odd', 1));
    await expect(all({})).resolves.toEqual({ calls: 2 });
    state.calls = 0;
    const failed = await taskWithCall(
      { retry: [retrier(['States.TaskFailed'], 1)] },
      flaky('Odd', 1),
    );
    await expect(failed({})).resolves.toEqual({ calls: 2 });
    state.calls = 0;
    const timeout = await taskWithCall(
      { retry: [retrier(['States.TaskFailed'], 3)], timeoutSeconds: 0.01 },
      'globalThis.calls += 1; return new Promise(() => {});',
    );
    await expect(timeout({})).rejects.toMatchObject({ name: 'States.Timeout' });
    expect(state.calls).toBe(1);
  });

  it('retries a timed-out attempt when States.Timeout is listed', async () => {
    const handler = await taskWithCall(
      { retry: [retrier(['States.Timeout'], 2)], timeoutSeconds: 0.01 },
      'globalThis.calls += 1; return globalThis.calls < 3 ? new Promise(() => {}) : "late";',
    );
    await expect(handler({})).resolves.toBe('late');
    expect(state.calls).toBe(3);
  });

  it('catches after the retries: { Error, Cause } at ResultPath, with the Catcher index', async () => {
    const handler = await taskWithCall(
      {
        retry: [retrier(['Busy'], 1)],
        catch: [
          { errorEquals: ['Other'], resultPath: [] },
          { errorEquals: ['Busy'], resultPath: ['error', 'info'] },
        ],
      },
      flaky('Busy', 9),
    );
    await expect(handler({ order: 7 })).resolves.toEqual({
      [ASL_CATCH_KEY]: 1,
      output: { order: 7, error: { info: { Error: 'Busy', Cause: 'call 2 failed' } } },
    });
    const keep = await taskWithCall(
      { catch: [{ errorEquals: ['States.ALL'], resultPath: null }] },
      flaky('Any', 9),
    );
    await expect(keep({ order: 7 })).resolves.toEqual({ [ASL_CATCH_KEY]: 0, output: { order: 7 } });
  });
});
