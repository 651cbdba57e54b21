import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCloudProfiles } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
// The repository's sequential reference interpreter (examples/ is not a package).
import { referenceRun } from '../../../examples/referenceRun';
import { loadCompiled, runToEnd } from './compiledRuns';

const nebulaFl = join(import.meta.dirname, '../../../examples/federated-learning/nebulafl.json');

/**
 * A NebulaFL model of 2,000 dimensions (6 x 2,001 weights, about 240 KB of JSON): over
 * aliyun-local's 128 KB asynchronous payload limit, the 16 KB slot limit and the 64 KB record
 * limit, so the runtime must move it through blobs by itself (`transfer: auto`). One round, one
 * owner per data center, small shards: the point is the transfer, not the learning.
 */
const input = {
  seed: 42,
  dims: 2000,
  rounds: 1,
  ownersPerCenter: 2,
  ownersPerRound: 1,
  samplesPerOwner: 40,
  testSamples: 60,
  validationSamples: 30,
};

const aliyunLimit =
  defaultCloudProfiles.find((c) => c.id === 'aliyun-local')?.limits.asyncPayloadBytes ?? 0;

describe('federated learning with a model over the inline limits', () => {
  it('moves the model between clouds as blobs and reaches the reference model under faults', async () => {
    const { ir, handlers } = await loadCompiled(JSON.parse(readFileSync(nebulaFl, 'utf8')));
    const reference = (await referenceRun(ir, input)).result as { modelDigest: string };
    const { report, result, events } = await runToEnd(ir, handlers, input, {
      faults: {
        seed: 7,
        duplicate: 0.2,
        drop: 0.1,
        crash: { 'before-commit': 0.1, 'after-commit': 0.1, 'before-invoke': 0.1 },
      },
    });
    expect(report.violations).toEqual([]);
    expect(result.status).toBe('succeeded');
    const output = (result as { output: { modelDigest: string; modelBytes: number } }).output;
    expect(output.modelDigest).toBe(reference.modelDigest);
    expect(output.modelBytes).toBeGreaterThan(aliyunLimit);

    // The hop a -> b enters aliyun-local: its input arrived as a blob in the sender's store.
    const started = events.find(
      (e) => e.kind === 'step.started' && e.instance === 'bSelect/loop:rotate=0',
    );
    expect(started?.input).toMatchObject({ cloud: 'aws-local' });
    const hop = started?.input as { blob?: string; bytes?: number };
    expect(typeof hop.blob).toBe('string');
    expect(hop.bytes).toBeGreaterThan(aliyunLimit);

    // The evaluated state is stored as a blob too; its trace preview keeps the accuracy.
    const evaluated = events.find(
      (e) => e.kind === 'step.succeeded' && e.instance === 'evaluate/loop:rotate=0',
    );
    expect(evaluated?.output).toMatchObject({
      blob: expect.any(String),
      numbers: { accuracy: expect.any(Number), round: 1 },
    });
  }, 120_000);
});
