import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, defaultCloudProfiles, type WorkflowIR } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
// The repository's sequential reference interpreter (examples/ is not a package): the runtime's
// result under faults must equal that one valid fault-free run.
import { importHandler, referenceRun } from '../../../examples/referenceRun';
import type { UserHandler } from './createFunction';
import { readExecutionResult, redriveExecution, startExecution } from './execution';
import { checkHistory } from './historyChecker';
import { createMemoryPorts, type MemoryFaults } from './memoryPorts';

const examplesDir = join(import.meta.dirname, '../../../examples');
const exampleFiles = readdirSync(examplesDir).filter((f) => f.endsWith('.json'));

async function load(file: string) {
  const graph = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as {
    sampleInput?: unknown;
  };
  const { ir, diagnostics } = compile(graph, { clouds: defaultCloudProfiles });
  if (ir === undefined) throw new Error(`${file}: ${JSON.stringify(diagnostics)}`);
  const handlers: Record<string, UserHandler> = {};
  for (const fn of Object.values(ir.functions)) {
    if (fn.code.trim() !== '') handlers[fn.name] = await importHandler(fn.code);
  }
  return { ir, handlers, input: graph.sampleInput };
}

async function runWithFaults(
  ir: WorkflowIR,
  handlers: Record<string, UserHandler>,
  input: unknown,
  faults: MemoryFaults,
) {
  const cloud = createMemoryPorts({ faults, maxAttempts: 10 });
  cloud.deploy(ir, handlers, 'd1');
  const { execution } = await startExecution(cloud.ports('api'), { ir, deployment: 'd1', input });
  await cloud.drain();
  for (let round = 0; round < 30; round++) {
    const result = await readExecutionResult(cloud.store(ir.resultStore), execution);
    if (result.status !== 'running') break;
    await redriveExecution(cloud.ports('api'), { execution, resultStore: ir.resultStore });
    await cloud.drain();
  }
  const report = await checkHistory({ ir, execution, store: cloud.store, events: cloud.events });
  const result = await readExecutionResult(cloud.store(ir.resultStore), execution, cloud.blobs);
  return { report, result };
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
