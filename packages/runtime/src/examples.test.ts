import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowIR } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
// The repository's sequential reference interpreter (examples/ is not a package): the runtime's
// result under faults must equal that one valid fault-free run.
import { referenceRun } from '../../../examples/referenceRun';
import { loadCompiled, runToEnd } from './compiledRuns';
import type { UserHandler } from './createFunction';
import type { MemoryFaults } from './memoryPorts';

const examplesDir = join(import.meta.dirname, '../../../examples');
const exampleFiles = readdirSync(examplesDir).filter((f) => f.endsWith('.json'));

async function load(file: string) {
  const graph = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as {
    sampleInput?: unknown;
  };
  return { ...(await loadCompiled(graph)), input: graph.sampleInput };
}

function runWithFaults(
  ir: WorkflowIR,
  handlers: Record<string, UserHandler>,
  input: unknown,
  faults: MemoryFaults,
) {
  return runToEnd(ir, handlers, input, { faults });
}

describe('compiled examples run to the reference result', () => {
  it('has examples to run', () => {
    expect(exampleFiles.length).toBeGreaterThan(0);
  });

  for (const file of exampleFiles) {
    it(`${file}: fault-free and under crashes, duplicates, drops and reordering`, async () => {
      const { ir, handlers, input } = await load(file);
      const reference = await referenceRun(ir, input);
      for (const faults of [
        {},
        {
          seed: 7,
          duplicate: 0.2,
          drop: 0.1,
          reorder: true,
          crash: { 'before-commit': 0.1, 'after-commit': 0.1, 'before-invoke': 0.1 },
        } satisfies MemoryFaults,
      ]) {
        const { report, result } = await runWithFaults(ir, handlers, input, faults);
        expect(report.violations).toEqual([]);
        // A k-of-n trigger's winners depend on arrival order, which faults change: compare the
        // result without its `winners` field and check there are exactly k distinct winners
        // (ml-pipeline's output is otherwise the same whichever k win).
        const kOfN = Object.values(ir.functions).find(
          (f) => f.kind === 'trigger' && f.trigger.type === 'k-of-n',
        );
        if (kOfN?.kind === 'trigger' && kOfN.trigger.type === 'k-of-n') {
          expect(result.status).toBe('succeeded');
          const { winners, ...rest } = (result as { output: { winners: unknown[] } }).output;
          const { winners: _w, ...expected } = reference.result as { winners: unknown[] };
          expect(rest).toEqual(expected);
          expect(new Set(winners).size).toBe(kOfN.trigger.k);
          expect(winners).toHaveLength(kOfN.trigger.k);
          continue;
        }
        expect(result).toMatchObject({ status: 'succeeded', output: reference.result });
      }
    });
  }
});
