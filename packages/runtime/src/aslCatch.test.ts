import { importAsl } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { loadCompiled, runToEnd } from './compiledRuns';

/**
 * Catch on a Parallel and on a Map, imported from Step Functions (@jointflow/ir's asl.ts) and
 * run by the runtime: a failing branch hands a failure token on, the fan-out's join catches it
 * and the handler runs; with faults, the same result. Definitions written for this test from
 * the Step Functions documentation.
 */

const parallel = {
  StartAt: 'Checkout',
  States: {
    Checkout: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Declined?',
          States: {
            'Declined?': {
              Type: 'Choice',
              Choices: [{ Variable: '$.declined', BooleanEquals: true, Next: 'Decline' }],
              Default: 'Charged',
            },
            Decline: { Type: 'Fail', Error: 'Payment.Declined', Cause: 'card refused' },
            Charged: { Type: 'Pass', Result: 'charged', End: true },
          },
        },
        { StartAt: 'Reserve', States: { Reserve: { Type: 'Pass', Result: 'held', End: true } } },
      ],
      ResultPath: '$.done',
      Catch: [{ ErrorEquals: ['Payment.Declined'], ResultPath: '$.error', Next: 'Refund' }],
      End: true,
    },
    Refund: { Type: 'Pass', Result: 'refunded', ResultPath: '$.outcome', End: true },
  },
};

const map = {
  StartAt: 'Each',
  States: {
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        StartAt: 'Bad?',
        States: {
          'Bad?': {
            Type: 'Choice',
            Choices: [{ Variable: '$', NumericEquals: 2, Next: 'Reject' }],
            Default: 'Keep',
          },
          Reject: { Type: 'Fail', Error: 'Item.Bad', Cause: 'two is not allowed' },
          Keep: { Type: 'Pass', End: true },
        },
      },
      ResultPath: '$.kept',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Held' }],
      Next: 'Done',
    },
    Held: { Type: 'Pass', Result: 'held', ResultPath: '$.state', End: true },
    Done: { Type: 'Succeed' },
  },
};

async function compiled(definition: unknown) {
  const { graph, diagnostics } = importAsl(definition);
  expect(diagnostics).toEqual([]);
  return loadCompiled(graph);
}

const faults = {
  seed: 5,
  duplicate: 0.3,
  crash: { 'before-commit': 0.15, 'after-commit': 0.15, 'before-invoke': 0.15 },
} as const;

describe('Catch on an imported Parallel and Map', () => {
  it('routes a declined branch to the handler with the error at ResultPath', async () => {
    const { ir, handlers } = await compiled(parallel);
    for (const options of [{}, { faults }]) {
      const declined = await runToEnd(ir, handlers, { declined: true }, options);
      expect(declined.report.violations).toEqual([]);
      expect(declined.result).toMatchObject({
        status: 'succeeded',
        output: {
          declined: true,
          error: { Error: 'Payment.Declined', Cause: 'card refused' },
          outcome: 'refunded',
        },
      });
      const charged = await runToEnd(ir, handlers, { declined: false }, options);
      expect(charged.result).toMatchObject({
        status: 'succeeded',
        output: { declined: false, done: ['charged', 'held'] },
      });
    }
  });

  it('catches a failing item of a Map; without one the results land at ResultPath', async () => {
    const { ir, handlers } = await compiled(map);
    for (const options of [{}, { faults }]) {
      const bad = await runToEnd(ir, handlers, { items: [1, 2, 3] }, options);
      expect(bad.report.violations).toEqual([]);
      expect(bad.result).toMatchObject({
        status: 'succeeded',
        output: {
          items: [1, 2, 3],
          failure: { Error: 'Item.Bad', Cause: 'two is not allowed' },
          state: 'held',
        },
      });
      const good = await runToEnd(ir, handlers, { items: [1, 3] }, options);
      expect(good.result).toMatchObject({
        status: 'succeeded',
        output: { items: [1, 3], kept: [1, 3] },
      });
    }
  });
});
