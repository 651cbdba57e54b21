import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CloudProfile, compile, defaultCloudProfiles, type WorkflowIR } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { examplePath, examplesDir, exampleText, exampleWorkflows } from './build';
import { referenceRun } from './referenceRun';
import type { ExampleWorkflow } from './src/exampleWorkflow';

/**
 * The clouds an example compiles against: the default two, or those of its clouds file (a
 * profile given inline there, or named after a default one).
 */
function cloudsOf(workflow: ExampleWorkflow): CloudProfile[] {
  if (workflow.cloudsFile === undefined) return defaultCloudProfiles;
  const file = JSON.parse(readFileSync(join(examplesDir, workflow.cloudsFile), 'utf8')) as {
    clouds: { id: string; profile?: string | Omit<CloudProfile, 'id'> }[];
  };
  return file.clouds.map((cloud) => {
    const named = defaultCloudProfiles.find((p) => p.id === (cloud.profile ?? cloud.id));
    const profile = typeof cloud.profile === 'object' ? cloud.profile : named;
    if (profile === undefined)
      throw new Error(`${workflow.cloudsFile}: no profile for ${cloud.id}`);
    return { ...profile, id: cloud.id };
  });
}

function compiledExample(name: string): { ir: WorkflowIR; sampleInput: unknown } {
  const workflow = exampleWorkflows.find((w) => w.name === name) ?? { name, nodes: [], edges: [] };
  const graph: unknown = JSON.parse(readFileSync(examplePath(workflow), 'utf8'));
  const { ir, diagnostics } = compile(graph, { clouds: cloudsOf(workflow) });
  expect(diagnostics).toEqual([]);
  if (!ir) throw new Error(`${name} did not compile`);
  return { ir, sampleInput: (graph as { sampleInput?: unknown }).sampleInput };
}

describe('examples', () => {
  it.each(exampleWorkflows.map((w) => [w.name, w] as const))(
    '%s.json is up to date with its sources',
    (_n, w) => {
      expect(readFileSync(examplePath(w), 'utf8')).toBe(exampleText(w));
    },
  );

  it.each(exampleWorkflows.map((w) => [w.name]))('%s compiles without diagnostics', (name) => {
    compiledExample(name);
  });

  it('monte-carlo-pi estimates pi within 0.05 and is deterministic', async () => {
    const { ir, sampleInput } = compiledExample('monte-carlo-pi');
    const run = await referenceRun(ir, sampleInput);
    const result = run.result as { pi: number; samples: number; branches: number };
    expect(result.samples).toBe(200_000);
    expect(result.branches).toBe(16);
    expect(Math.abs(result.pi - Math.PI)).toBeLessThan(0.05);
    expect((await referenceRun(ir, sampleInput)).result).toEqual(run.result);
    // A different branch count changes the seeds, hence the darts: the result is computed.
    const other = (await referenceRun(ir, { samples: 200_000, branches: 3 })).result as {
      pi: number;
    };
    expect(other.pi).not.toBe(result.pi);
    expect(Math.abs(other.pi - Math.PI)).toBeLessThan(0.05);
  });

  it('word-count counts every word once across chunks', async () => {
    const { ir, sampleInput } = compiledExample('word-count');
    const { result } = await referenceRun(ir, sampleInput);
    const text = (sampleInput as { text: string }).text;
    const expectedWords = text.toLowerCase().match(/[a-z0-9]+(?:'[a-z0-9]+)*/g)?.length;
    const r = result as { words: number; top: { word: string; count: number }[] };
    expect(r.words).toBe(expectedWords);
    expect(r.top[0]).toEqual({ word: 'the', count: (text.match(/\bthe\b/gi) ?? []).length });
  });

  it('video-analytics sees the moving square', async () => {
    const { ir, sampleInput } = compiledExample('video-analytics');
    const { result, outputs } = await referenceRun(ir, sampleInput);
    expect(result).toMatchObject({ scene: 'moving-object', frames: 12 });
    expect(outputs.has('extract/map:frames=11')).toBe(true);
  });

  it('question-answering ranks a document about stars first', async () => {
    const { ir, sampleInput } = compiledExample('question-answering');
    const { result } = await referenceRun(ir, sampleInput);
    const r = result as { topic: string; ranking: { score: number }[] };
    expect(r.topic).toBe('stars');
    expect(r.ranking.length).toBe(5);
    expect(r.ranking[0]?.score).toBeGreaterThan(r.ranking[4]?.score ?? Infinity);
  });

  it('iot-pipeline alternates clouds on a payload of about 1 KB', async () => {
    const { ir, sampleInput } = compiledExample('iot-pipeline');
    const clouds = ['ingest', 'validate', 'calibrate', 'aggregate', 'alert'].map(
      (n) => ir.functions[n]?.cloud,
    );
    expect(clouds).toEqual(['aws-local', 'aliyun-local', 'aws-local', 'aliyun-local', 'aws-local']);
    const { result, outputs } = await referenceRun(ir, sampleInput);
    const bytes = JSON.stringify(outputs.get('ingest')).length;
    expect(bytes).toBeGreaterThan(700);
    expect(bytes).toBeLessThan(1400);
    const r = result as { rejected: number; sensors: number };
    expect(r.sensors).toBe(5);
    expect(r.rejected).toBeGreaterThan(0);
  });

  it('ml-pipeline labels every shape, averaging the first 3 of 4 replicas', async () => {
    const { ir, sampleInput } = compiledExample('ml-pipeline');
    const trigger = ir.functions.vote;
    expect(trigger?.kind === 'trigger' && trigger.trigger).toEqual({ type: 'k-of-n', k: 3, n: 4 });
    const { result } = await referenceRun(ir, sampleInput);
    const r = result as { label: string; confidence: number; answers: number; winners: string[] };
    expect(r.label).toBe((sampleInput as { shape: string }).shape);
    expect(r.answers).toBe(3);
    // The sequential interpreter delivers in replica order, so the slow replica 3 is the late one.
    expect(r.winners).toEqual([0, 1, 2].map((i) => `classify/map:replicas=${i}`));
    for (const shape of ['cross', 'ring', 'square', 'diagonal']) {
      const run = await referenceRun(ir, { shape, seed: 3, slowMs: 0 });
      expect((run.result as { label: string }).label, shape).toBe(shape);
    }
  });

  it('mapreduce-sort outputs its input sorted, through one reducer per key range', async () => {
    const { ir, sampleInput } = compiledExample('mapreduce-sort');
    const { result } = await referenceRun(ir, sampleInput);
    const numbers = (sampleInput as { text: string }).text.split(' ').map(Number);
    const r = result as { sorted: number[]; count: number; reducers: { range: number }[] };
    expect(r.sorted).toEqual([...numbers].sort((a, b) => a - b));
    expect(r.count).toBe(numbers.length);
    expect(r.reducers.map((x) => x.range)).toEqual([0, 1, 2]);
    const other = [5, -3, 5, 1e6, 0.5, 42, -3];
    const run = await referenceRun(ir, { numbers: other, mappers: 3, reducers: 4 });
    expect((run.result as { sorted: number[] }).sorted).toEqual([...other].sort((a, b) => a - b));
    const empty = await referenceRun(ir, { numbers: [] });
    expect(empty.result).toMatchObject({ count: 0, sorted: [] });
  });

  it('parallel-sleep gathers every sleeper once, 100 per batch', async () => {
    const { ir, sampleInput } = compiledExample('parallel-sleep');
    expect((await referenceRun(ir, sampleInput)).result).toEqual({
      sleepers: 8,
      batches: 1,
      sleptMs: 80,
      contiguous: true,
    });
    const wide = await referenceRun(ir, { sleepers: 250, sleepMs: 0 });
    expect(wide.result).toEqual({ sleepers: 250, batches: 3, sleptMs: 0, contiguous: true });
  });
});
