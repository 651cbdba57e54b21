import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { importAsl } from './asl';
import { choiceRuleToJsonata, jsonPathToJsonata } from './aslChoice';
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
    expect(submit).toMatchObject({ kind: 'task', retries: 3 });
    expect(submit.code).toContain('arn:aws:lambda:us-east-1:123456789012:function:SubmitJob');
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
    expect(node(graph, 'LookupCustomerInfo-2-Unknown').code).toContain('return {"phone":null};');
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

  it('reports Catch, ignored fields and Catch-only states as warnings naming the state', () => {
    const { graph, diagnostics } = importAsl({
      StartAt: 'Charge',
      States: {
        Charge: {
          Type: 'Task',
          Resource: 'arn:charge',
          ResultPath: '$.charge',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refund' }],
          End: true,
        },
        Refund: { Type: 'Task', Resource: 'arn:refund', End: true },
      },
    });
    expect(graph).toBeDefined();
    expect(diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ['warning', 'ASL_STATE_NOT_IMPORTED'],
      ['warning', 'ASL_FIELD_IGNORED'],
      ['warning', 'ASL_CATCH_NOT_IMPORTED'],
    ]);
    expect(diagnostics[0]?.message).toContain('"Refund"');
    expect(diagnostics[2]?.message).toContain('"Charge"');
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
