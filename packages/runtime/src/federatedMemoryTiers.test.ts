import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// The repository's sequential reference interpreter (examples/ is not a package).
import { referenceRun } from '../../../examples/referenceRun';
import { loadCompiled, runToEnd } from './compiledRuns';

const nebulaFl = join(import.meta.dirname, '../../../examples/federated-learning/nebulafl.json');

/** Two rounds, 2 of 3 owners per center (each center has a straggler), small shards. */
const input = { seed: 42, rounds: 2, samplesPerOwner: 60, testSamples: 120, validationSamples: 60 };

describe('federated learning with reward-picked memory tiers', () => {
  it('runs the large-memory branch of the map under faults and reaches the reference model', async () => {
    const { ir, handlers } = await loadCompiled(JSON.parse(readFileSync(nebulaFl, 'utf8')));
    const reference = (await referenceRun(ir, input)).result as {
      modelDigest: string;
      largeJobs: number;
    };
    expect(reference.largeJobs).toBeGreaterThan(0);
    const { report, result, events } = await runToEnd(ir, handlers, input, {
      faults: {
        seed: 7,
        duplicate: 0.2,
        drop: 0.1,
        reorder: true,
        crash: { 'before-commit': 0.1, 'after-commit': 0.1, 'before-invoke': 0.1 },
      },
    });
    expect(report.violations).toEqual([]);
    expect(result).toMatchObject({ status: 'succeeded' });
    expect((result as { output: unknown }).output).toEqual((await referenceRun(ir, input)).result);
    // Each large job ran in a <c>TrainLarge instance, and its <c>Train twin was skipped.
    const large = new Set(
      events
        .filter((e) => e.kind === 'step.succeeded' && /^[abc]TrainLarge\//.test(e.instance))
        .map((e) => e.instance),
    );
    expect(large.size).toBe(reference.largeJobs);
  }, 120_000);
});
