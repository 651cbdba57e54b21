import { importAsl } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { loadCompiled, runToEnd } from './compiledRuns';

/**
 * `$$.Execution.Input` and `$$.Execution.StartTime` in a step imported from Step Functions: the
 * step reads them from the execution's start record through `ctx.executionStart()`, also deep
 * in the run (after a step changed the data) and under duplicates and crashes; and
 * `$$.StateMachine.Name`, the workflow's name (`ctx.workflow`).
 */
const definition = {
  Comment: 'recall the request',
  StartAt: 'Change',
  States: {
    Change: { Type: 'Pass', Result: { replaced: true }, Next: 'Recall' },
    Recall: {
      Type: 'Pass',
      Parameters: {
        'original.$': '$$.Execution.Input',
        'mode.$': '$$.Execution.Input.mode',
        'started.$': '$$.Execution.StartTime',
        'machine.$': '$$.StateMachine.Name',
        'now.$': '$',
      },
      End: true,
    },
  },
};

describe('the execution context of an imported step', () => {
  it('gives the execution input and start time from the start record', async () => {
    const { graph, diagnostics } = importAsl(definition);
    expect(diagnostics).toEqual([]);
    const { ir, handlers } = await loadCompiled(graph);
    for (const options of [
      {},
      { faults: { seed: 3, duplicate: 0.4, crash: { 'after-commit': 0.3 } } },
    ]) {
      const before = Date.now();
      const { result, report } = await runToEnd(ir, handlers, { mode: 'test', n: 1 }, options);
      expect(report.violations).toEqual([]);
      const output = (result as { output: Record<string, unknown> }).output;
      expect(output).toMatchObject({
        original: { mode: 'test', n: 1 },
        mode: 'test',
        machine: 'recall the request',
        now: { replaced: true },
      });
      const started = Date.parse(String(output.started));
      expect(started).toBeGreaterThanOrEqual(before - 1);
      expect(started).toBeLessThanOrEqual(Date.now());
    }
  });
});
