import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { importAsl } from './asl';
import { choiceRuleToJsonata, jsonPathToJsonata } from './aslChoice';
import { type AslStepSpec, readAslStepSpec } from './aslStepCode';
import { compile } from './compile';
import { defaultCloudProfiles } from './defaultClouds';
import type { Graph } from './graph';

function imported(definition: unknown): Graph {
  const { graph, diagnostics } = importAsl(definition);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!graph) throw new Error('no graph');
  const result = compile(graph, { clouds: defaultCloudProfiles });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return graph;
}

function node(graph: Graph, name: string) {
  const n = graph.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}`);
  return n;
}

function spec(graph: Graph, name: string): AslStepSpec {
  const found = readAslStepSpec(node(graph, name).code);
  if (!found) throw new Error(`no imported settings in the code of ${name}`);
  return found;
}

async function guardHolds(guard: string, input: unknown): Promise<boolean> {
  return Boolean(await jsonata(guard).evaluate(input));
}

// Shaped like the "Job Status Poller" sample in the AWS Step Functions docs.
const jobPoller = {
  Comment: 'Job status poller',
  StartAt: 'Submit Job',
  States: {
    'Submit Job': {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:SubmitJob',
      Next: 'Wait X Seconds',
      Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3 }],
    },
    'Wait X Seconds': { Type: 'Wait', Seconds: 5, Next: 'Get Job Status' },
    'Get Job Status': {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:CheckJob',
      Next: 'Job Complete?',
    },
    'Job Complete?': {
      Type: 'Choice',
      Choices: [
        { Variable: '$.status', StringEquals: 'FAILED', Next: 'Job Failed' },
        { Variable: '$.status', StringEquals: 'SUCCEEDED', Next: 'Get Final Job Status' },
      ],
      Default: 'Wait X Seconds',
    },
    'Job Failed': {
      Type: 'Fail',
      Error: 'DescribeJob returned FAILED',
      Cause: 'AWS Batch Job Failed',
    },
    'Get Final Job Status': {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:CheckJob',
      End: true,
    },
  },
};

describe('importAsl', () => {
  it('imports the job poller: tasks with pass-through code, a guarded choice, a bounded loop', () => {
    const graph = imported(jobPoller);
    expect(graph.name).toBe('Job status poller');
    const submit = node(graph, 'Submit_Job');
    // Retry runs in the step's code (per error name), so the runtime does not retry on top.
    expect(submit).toMatchObject({ kind: 'task', retries: 0 });
    expect(spec(graph, 'Submit_Job')).toMatchObject({
      kind: 'task',
      state: 'Submit Job',
      resource: 'arn:aws:lambda:us-east-1:123456789012:function:SubmitJob',
      retry: [
        {
          errorEquals: ['States.ALL'],
          maxAttempts: 3,
          intervalSeconds: 1,
          backoffRate: 2,
          maxDelaySeconds: null,
          jitter: 'NONE',
        },
      ],
      catch: [],
      timeoutSeconds: null,
    });
    expect(submit.code).toContain('return input;');
    expect(node(graph, 'Job_Complete_')).toMatchObject({ kind: 'choice' });
    expect(node(graph, 'Wait_X_Seconds-loop')).toMatchObject({ kind: 'loop', maxIterations: 1000 });
    expect(node(graph, 'Job_Failed').code).toContain('throw error');
    const guards = graph.edges.filter((e) => e.source === 'Job_Complete_').map((e) => e.guard);
    expect(guards).toEqual([
      '($type(status) = "string" and status = "FAILED")',
      '($type(status) = "string" and status = "SUCCEEDED")',
      undefined,
    ]);
  });

  it('imports Parallel as a fan-out task and a join, one edge per branch', () => {
    const graph = imported({
      StartAt: 'LookupCustomerInfo',
      States: {
        LookupCustomerInfo: {
          Type: 'Parallel',
          End: true,
          Branches: [
            {
              StartAt: 'LookupAddress',
              States: { LookupAddress: { Type: 'Task', Resource: 'arn:a', End: true } },
            },
            {
              StartAt: 'LookupPhone',
              States: {
                LookupPhone: { Type: 'Task', Resource: 'arn:b', Next: 'Known?' },
                'Known?': {
                  Type: 'Choice',
                  Choices: [{ Variable: '$.phone', IsPresent: true, Next: 'Done' }],
                  Default: 'Unknown',
                },
                Done: { Type: 'Succeed' },
                Unknown: { Type: 'Pass', Result: { phone: null }, End: true },
              },
            },
          ],
        },
      },
    });
    expect(node(graph, 'LookupCustomerInfo-join')).toMatchObject({
      kind: 'join',
      fanOut: 'LookupCustomerInfo',
    });
    expect(graph.edges.filter((e) => e.target === 'LookupCustomerInfo-join')).toHaveLength(2);
    expect(spec(graph, 'LookupCustomerInfo-2-Unknown')).toEqual({
      kind: 'result',
      state: 'Unknown',
      result: { phone: null },
      io: null,
      asl: { type: 'Pass', fields: {} },
    });
  });

  it('imports Map with ItemProcessor and ItemsPath, and the legacy Iterator', () => {
    const withProcessor = imported({
      StartAt: 'Validate-All',
      States: {
        'Validate-All': {
          Type: 'Map',
          ItemsPath: '$.detail.shipped',
          MaxConcurrency: 0,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Validate',
            States: {
              Validate: { Type: 'Task', Resource: 'arn:aws:lambda:::function:ship-val', End: true },
            },
          },
          End: true,
        },
      },
    });
    expect(node(withProcessor, 'Validate-All')).toMatchObject({
      kind: 'map',
      items: 'detail.shipped',
    });
    expect(node(withProcessor, 'Validate-All-join')).toMatchObject({
      kind: 'join',
      fanOut: 'Validate-All',
    });
    const withIterator = imported({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          Iterator: { StartAt: 'Work', States: { Work: { Type: 'Pass', End: true } } },
          Next: 'After',
        },
        After: { Type: 'Succeed' },
      },
    });
    expect(node(withIterator, 'Each')).toMatchObject({ kind: 'map', items: '$' });
    expect(withIterator.edges.some((e) => e.source === 'Each-join' && e.target === 'After')).toBe(
      true,
    );
  });

  it('imports a Task Catch as a choice routing the caught error to its handler, and names stubs', () => {
    const { graph, diagnostics } = importAsl({
      StartAt: 'Charge',
      States: {
        Charge: {
          Type: 'Task',
          Resource: 'arn:charge',
          ResultPath: '$.charge',
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Refund' }],
          End: true,
        },
        Refund: { Type: 'Task', Resource: 'arn:refund', End: true },
      },
    });
    if (!graph) throw new Error('no graph');
    expect(compile(graph, { clouds: defaultCloudProfiles }).diagnostics).not.toContainEqual(
      expect.objectContaining({ severity: 'error' }),
    );
    expect(diagnostics.map((d) => [d.severity, d.code, d.node])).toEqual([
      ['warning', 'ASL_TASK_STUB', 'Charge'],
      ['warning', 'ASL_TASK_STUB', 'Refund'],
    ]);
    expect(diagnostics[0]?.message).toContain('"arn:charge"');
    expect(node(graph, 'Charge-caught')).toMatchObject({ kind: 'choice' });
    expect(
      graph.edges
        .filter((e) => e.source === 'Charge-caught')
        .map((e) => [e.target, e.guard, e.mapping]),
    ).toEqual([
      ['Refund', '`jointflow:aslCatch` = 0', 'output'],
      ['Charge-done', undefined, undefined],
    ]);
    expect(spec(graph, 'Charge')).toMatchObject({
      catch: [{ errorEquals: ['States.ALL'], resultPath: ['error'] }],
    });
  });

  it('gives a Parallel with ResultPath a raw-input slot on its join, and a Map a step before and after', () => {
    const graph = imported({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          InputPath: '$.in',
          ResultPath: '$.out',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
          ],
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          ItemsPath: '$.list',
          ItemSelector: { 'v.$': '$$.Map.Item.Value' },
          ResultPath: null,
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    });
    const edges = graph.edges.map((e) => [e.source, e.target, e.mapping ?? null]);
    expect(edges).toEqual(
      expect.arrayContaining([
        ['Both', 'Both-1-A', 'effective'],
        ['Both', 'Both-2-B', 'effective'],
        ['Both', 'Both-join', 'raw'],
        ['Both-join', 'Each-items', null],
        ['Each-items', 'Each', null],
        ['Each-join', 'Each-result', null],
        ['Each-items', 'Each-result', 'raw'],
      ]),
    );
    // The raw input is the join's last slot.
    const intoJoin = graph.edges.filter((e) => e.target === 'Both-join').map((e) => e.source);
    expect(intoJoin.at(-1)).toBe('Both');
    expect(node(graph, 'Each')).toMatchObject({ kind: 'map', items: 'items' });
    expect(spec(graph, 'Each-items')).toMatchObject({ kind: 'items', itemsPath: ['list'] });
    expect(spec(graph, 'Both-join')).toMatchObject({ kind: 'gather', shape: 'parallel' });
  });

  it('names only the fields whose loss changes something', () => {
    const { diagnostics } = importAsl({
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'f' },
          HeartbeatSeconds: 60,
          Credentials: { RoleArn: 'arn:aws:iam::123456789012:role/r' },
          Next: 'Token',
        },
        Token: {
          Type: 'Task',
          Resource: 'arn:aws:states:us-east-1:123456789012:activity:a',
          HeartbeatSeconds: 60,
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          Label: 'each',
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    });
    const ignored = diagnostics.filter((d) => d.code === 'ASL_FIELD_IGNORED');
    expect(ignored.map((d) => [d.node, d.message.split(/[:;]/)[1]?.trim()])).toEqual([
      ['Call', 'Credentials is not imported'],
      ['Token', 'HeartbeatSeconds is not imported'],
    ]);
  });

  it('reports the Catch of a Parallel holding a Map, and the states only it reaches', () => {
    const inner = { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } };
    const { graph, diagnostics } = importAsl({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Map', ItemProcessor: inner, End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }],
          End: true,
        },
        Recover: { Type: 'Pass', End: true },
      },
    });
    expect(graph).toBeDefined();
    expect(diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ['warning', 'ASL_STATE_NOT_IMPORTED'],
      ['warning', 'ASL_CATCH_NOT_IMPORTED'],
    ]);
    expect(diagnostics[0]?.message).toContain('"Recover"');
    expect(diagnostics[1]?.message).toContain('"Both"');
  });

  it('reports unsupported states and garbage as errors, never throwing', () => {
    for (const definition of [
      null,
      3,
      'x',
      [],
      {},
      { StartAt: 'A', States: {} },
      { StartAt: 'A', States: { A: 5 } },
    ]) {
      const result = importAsl(definition);
      expect(result.graph).toBeUndefined();
      expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    }
    const odd = importAsl({ StartAt: 'A', States: { A: { Type: 'Teleport', End: true } } });
    expect(odd.diagnostics).toContainEqual(
      expect.objectContaining({ code: 'ASL_UNSUPPORTED_STATE' }),
    );
    expect(odd.diagnostics[0]?.message).toContain('"A"');
  });
});

describe('choice rules', () => {
  it.each<[unknown, unknown, boolean]>([
    [{ Variable: '$.n', NumericGreaterThan: 5 }, { n: 7 }, true],
    [{ Variable: '$.n', NumericGreaterThan: 5 }, { n: 5 }, false],
    [{ Variable: '$.n', NumericGreaterThan: 5 }, { n: '9' }, false],
    [{ Variable: '$.n', NumericLessThanEquals: 5 }, { n: 5 }, true],
    [{ Variable: '$.s', StringEquals: 'a"b' }, { s: 'a"b' }, true],
    [{ Variable: '$.a.b[1]', NumericEquals: 2 }, { a: { b: [1, 2] } }, true],
    [{ Variable: "$['odd key']", BooleanEquals: true }, { 'odd key': true }, true],
    [{ Variable: '$.x', IsPresent: true }, { x: 0 }, true],
    [{ Variable: '$.x', IsPresent: false }, { y: 0 }, true],
    [{ Variable: '$.x', IsNull: true }, { x: null }, true],
    [{ Variable: '$.x', IsNumeric: true }, { x: 'no' }, false],
    [{ Variable: '$.f', StringMatches: 'log-*.txt' }, { f: 'log-12.txt' }, true],
    [{ Variable: '$.f', StringMatches: 'log-*.txt' }, { f: 'log-12.csv' }, false],
    [{ Variable: '$.a', NumericGreaterThanPath: '$.b' }, { a: 3, b: 2 }, true],
    [
      { Variable: '$.t', TimestampLessThan: '2024-01-01T00:00:00Z' },
      { t: '2023-06-01T00:00:00Z' },
      true,
    ],
    [
      {
        And: [
          { Variable: '$.n', NumericGreaterThan: 1 },
          { Not: { Variable: '$.s', StringEquals: 'x' } },
        ],
      },
      { n: 2, s: 'y' },
      true,
    ],
    [
      {
        Or: [
          { Variable: '$.n', NumericGreaterThan: 10 },
          { Variable: '$.s', StringEquals: 'x' },
        ],
      },
      { n: 2, s: 'y' },
      false,
    ],
    [{ Condition: '{% $states.input.n > 3 %}' }, { n: 4 }, true],
  ])('%j on %j is %s', async (rule, input, expected) => {
    const translated = choiceRuleToJsonata(rule);
    if ('problem' in translated) throw new Error(translated.problem);
    expect(await guardHolds(translated.guard, input)).toBe(expected);
  });

  it('explains what it cannot translate', () => {
    expect(choiceRuleToJsonata({ Variable: '$..x', StringEquals: 'a' })).toHaveProperty('problem');
    expect(choiceRuleToJsonata({ Variable: '$.x', Frobnicate: 1 })).toHaveProperty('problem');
    expect(choiceRuleToJsonata({ Variable: '$.x', NumericEquals: 'one' })).toHaveProperty(
      'problem',
    );
    expect(jsonPathToJsonata('$.a[*]')).toBeUndefined();
  });
});

describe('definitions that are large, deep or odd', () => {
  it('imports a chain of 25,000 states without deep recursion', () => {
    const count = 25_000;
    const states: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      states[`S${i}`] = i === count - 1 ? { Type: 'Succeed' } : { Type: 'Pass', Next: `S${i + 1}` };
    }
    const { graph, diagnostics } = importAsl({ StartAt: 'S0', States: states });
    expect(diagnostics).toEqual([]);
    expect(graph?.nodes).toHaveLength(count);
    expect(graph?.edges).toHaveLength(count - 1);
  });

  it('imports a cycle through a 25,000-state chain with one loop node', () => {
    const count = 25_000;
    const states: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) states[`S${i}`] = { Type: 'Pass', Next: `S${i + 1}` };
    states[`S${count}`] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.again', BooleanEquals: true, Next: 'S0' }],
      Default: 'End',
    };
    states.End = { Type: 'Succeed' };
    const { graph, diagnostics } = importAsl({ StartAt: 'S0', States: states });
    expect(diagnostics.map((d) => d.code)).toEqual(['ASL_LOOP_BOUNDED']);
    expect(graph?.nodes.filter((n) => n.kind === 'loop').map((n) => n.name)).toEqual(['S0-loop']);
  });

  it('gives a diagnostic, not a stack overflow, for a 5,000-deep Not', () => {
    let rule: unknown = { Variable: '$.x', IsPresent: true };
    for (let i = 0; i < 5000; i++) rule = { Not: rule };
    const definition = {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ ...(rule as object), Next: 'D' }], Default: 'D' },
        D: { Type: 'Succeed' },
      },
    };
    const result = importAsl(definition);
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics.map((d) => d.code)).toEqual(['ASL_TOO_DEEP']);
    // The same from the text (built by hand: JSON.stringify itself overflows at this depth).
    const deepRule = `${'{"Not":'.repeat(5000)}{"Variable":"$.x","IsPresent":true}${'}'.repeat(5000)}`;
    const text = `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[${deepRule.slice(0, -1)},"Next":"D"}],"Default":"D"},"D":{"Type":"Succeed"}}}`;
    expect(importAsl(text).diagnostics.map((d) => d.code)).toEqual(['ASL_TOO_DEEP']);
  });

  it('imports and compiles a 150-deep Not', async () => {
    let rule: unknown = { Variable: '$.x', IsPresent: true };
    for (let i = 0; i < 150; i++) rule = { Not: rule };
    const graph = imported({
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ ...(rule as object), Next: 'D' }], Default: 'E' },
        D: { Type: 'Succeed' },
        E: { Type: 'Succeed' },
      },
    });
    const guard = graph.edges.find((e) => e.source === 'C' && e.target === 'D')?.guard ?? '';
    // 150 negations cancel out.
    expect(await guardHolds(guard, { x: 1 })).toBe(true);
    expect(await guardHolds(guard, {})).toBe(false);
  });

  it('accepts a definition as text with a UTF-8 byte order mark', () => {
    const text = `\uFEFF${JSON.stringify(jobPoller)}`;
    const { graph } = importAsl(text);
    expect(graph?.name).toBe('Job status poller');
    expect(importAsl('\uFEFF{ nope').diagnostics.map((d) => d.code)).toEqual(['ASL_NOT_JSON']);
  });

  it('refuses negative Seconds and TimeoutSeconds with a diagnostic naming the state', () => {
    const { graph, diagnostics } = importAsl({
      TimeoutSeconds: -5,
      StartAt: 'W',
      States: {
        W: { Type: 'Wait', Seconds: -1, Next: 'T' },
        T: { Type: 'Task', Resource: 'arn:t', TimeoutSeconds: -2, HeartbeatSeconds: -3, End: true },
      },
    });
    expect(graph).toBeUndefined();
    const negative = diagnostics.filter((d) => d.code === 'ASL_NEGATIVE_SECONDS');
    expect(negative.map((d) => [d.severity, d.node ?? null])).toEqual([
      ['error', null],
      ['error', 'W'],
      ['error', 'T'],
      ['error', 'T'],
    ]);
    expect(negative[1]?.message).toContain('Seconds is -1');
  });
});

describe('what public definitions use', () => {
  it('names .sync and .waitForTaskToken and an unbounded Retry time; imports MaxConcurrency', () => {
    const { graph, diagnostics } = importAsl({
      StartAt: 'Run job',
      States: {
        'Run job': {
          Type: 'Task',
          Resource: 'arn:aws:states:::batch:submitJob.sync',
          Next: 'Ask human',
        },
        'Ask human': {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 10, IntervalSeconds: 60 }],
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          MaxConcurrency: 5,
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    });
    expect(graph).toBeDefined();
    const codes = diagnostics.map((d) => [d.code, d.node]);
    expect(codes).toContainEqual(['ASL_SYNC_NOT_SUPPORTED', 'Run_job']);
    expect(codes).toContainEqual(['ASL_TASK_TOKEN_NOT_SUPPORTED', 'Ask_human']);
    expect(codes).toContainEqual(['ASL_RETRY_TIME_CAPPED', 'Ask_human']);
    expect(codes.map(([code]) => code)).not.toContain('ASL_MAX_CONCURRENCY');
    expect(graph?.nodes.find((n) => n.name === 'Each')).toMatchObject({ maxConcurrency: 5 });
    expect(graph?.nodes.find((n) => n.name === 'Ask_human')?.timeoutMs).toBe(900_000);
  });

  it('names a MaxConcurrency it cannot fix when compiled: a path, a fraction, a negative', () => {
    const mapWith = (fields: Record<string, unknown>) =>
      importAsl({
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ...fields,
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      });
    for (const fields of [
      { MaxConcurrencyPath: '$.limit' },
      { MaxConcurrency: 2.5 },
      { MaxConcurrency: -1 },
      { MaxConcurrency: '{% $states.input.limit %}' },
    ]) {
      const { graph, diagnostics } = mapWith(fields);
      expect(diagnostics.map((d) => [d.code, d.node])).toEqual([['ASL_MAX_CONCURRENCY', 'Each']]);
      expect(graph?.nodes.find((n) => n.name === 'Each')).not.toHaveProperty('maxConcurrency');
    }
    const unbounded = mapWith({ MaxConcurrency: 0 });
    expect(unbounded.diagnostics).toEqual([]);
    expect(unbounded.graph?.nodes.find((n) => n.name === 'Each')).not.toHaveProperty(
      'maxConcurrency',
    );
  });

  it('keeps Retry per error name, MaxAttempts 0 included, and sizes the step timeout', () => {
    const graph = imported({
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          TimeoutSeconds: 10,
          Retry: [
            { ErrorEquals: ['Lambda.TooManyRequestsException'], MaxAttempts: 0 },
            {
              ErrorEquals: ['States.TaskFailed'],
              IntervalSeconds: 2,
              MaxAttempts: 4,
              BackoffRate: 3,
              MaxDelaySeconds: 20,
              JitterStrategy: 'FULL',
            },
          ],
          End: true,
        },
      },
    });
    expect(spec(graph, 'Call')).toMatchObject({
      timeoutSeconds: 10,
      retry: [
        { errorEquals: ['Lambda.TooManyRequestsException'], maxAttempts: 0 },
        {
          errorEquals: ['States.TaskFailed'],
          maxAttempts: 4,
          intervalSeconds: 2,
          backoffRate: 3,
          maxDelaySeconds: 20,
          jitter: 'FULL',
        },
      ],
    });
    // 5 attempts of 10 s, waits 2 + 6 + 18 + 20 s (capped), 5 s to spare.
    expect(node(graph, 'Call').timeoutMs).toBe(50_000 + 46_000 + 5_000);
  });

  it('rejects invalid Retry values rather than guessing', () => {
    const { diagnostics } = importAsl({
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: 'arn:t',
          Retry: [{ ErrorEquals: [], MaxAttempts: -1, BackoffRate: 0.5 }],
          End: true,
        },
      },
    });
    expect(diagnostics.filter((d) => d.code === 'ASL_RETRY_INVALID')).toHaveLength(3);
  });

  it('reads keys with hyphens and $$ paths in Choice comparisons', async () => {
    expect(jsonPathToJsonata('$.detail-type')).toBe('`detail-type`');
    expect(jsonPathToJsonata('$.detail.order-id[2].x')).toBe('detail.`order-id`[2].x');
    const graph = imported({
      StartAt: 'Route',
      States: {
        Route: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.detail-type', StringEquals: 'Order Placed', Next: 'Placed' },
            { Variable: '$$.Execution.Input.mode', StringEquals: 'test', Next: 'Placed' },
          ],
          Default: 'Other',
        },
        Placed: { Type: 'Succeed' },
        Other: { Type: 'Succeed' },
      },
    });
    const [hyphen, context] = graph.edges.filter((e) => e.source === 'Route').map((e) => e.guard);
    expect(await guardHolds(hyphen ?? '', { 'detail-type': 'Order Placed' })).toBe(true);
    expect(await guardHolds(hyphen ?? '', { 'detail-type': 'Order Shipped' })).toBe(false);
    expect(await guardHolds(context ?? '', { mode: 'test' })).toBe(false);
    const { diagnostics } = importAsl({
      StartAt: 'Route',
      States: {
        Route: {
          Type: 'Choice',
          Choices: [{ Variable: '$$.Execution.Input.mode', StringEquals: 'test', Next: 'A' }],
          Default: 'A',
        },
        A: { Type: 'Succeed' },
      },
    });
    expect(diagnostics.map((d) => [d.code, d.node])).toEqual([['ASL_CONTEXT_IN_CHOICE', 'Route']]);
    expect(diagnostics[0]?.message).toContain('$$.Execution.Input.mode');
  });
});
