import { readFileSync } from 'node:fs';
import { compile, defaultCloudProfiles, type WorkflowIR } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { examplePath, exampleText, exampleWorkflows } from './build';
import { referenceRun } from './referenceRun';

function compiledExample(name: string): { ir: WorkflowIR; sampleInput: unknown } {
  const graph: unknown = JSON.parse(
    readFileSync(examplePath({ name, nodes: [], edges: [] }), 'utf8'),
  );
  const { ir, diagnostics } = compile(graph, { clouds: defaultCloudProfiles });
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
});
