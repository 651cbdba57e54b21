import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jointflow, type Run, root } from './spawnCli';

/**
 * The data-trigger examples through the real CLI (real cloud processes, real stores), as issue
 * 11 states what must hold: mapreduce-sort prints "succeeded" and the sorted input, with and
 * without faults; ml-pipeline succeeds and reports which 3 of the 4 replicas won. The run's
 * summary lists each trigger's decisions and no pseudo-step for a trigger's bucket.
 */

interface Report {
  status: string;
  output: unknown;
  steps: { instance: string; node: string; status: string }[];
  triggers?: {
    trigger: string;
    received: number;
    fired: { instance: string; members?: string[] }[];
    dropped: { from: string; key: string; reason: string }[];
  }[];
}

const sortInput = (
  JSON.parse(readFileSync(join(root, 'examples', 'mapreduce-sort.json'), 'utf8')) as {
    sampleInput: { text: string };
  }
).sampleInput;
const sorted = sortInput.text
  .split(' ')
  .map(Number)
  .sort((a, b) => a - b);

function expectSorted(run: Run): Report {
  expect(run.status, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as Report;
  expect(report.status).toBe('succeeded');
  expect((report.output as { sorted: number[] }).sorted).toEqual(sorted);
  // Every step row is a step that ran; the group's bucket is not one.
  expect(report.steps.filter((s) => s.status !== 'succeeded')).toEqual([]);
  const shuffle = report.triggers?.find((t) => t.trigger === 'shuffle');
  // One run per key range, each fired with its group's key.
  expect(shuffle?.fired.map((f) => f.instance)).toEqual(
    [0, 1, 2].map((i) => `shuffle/map:shuffle=${i}`),
  );
  expect(shuffle?.fired.map((f) => f.members)).toEqual([['group:0'], ['group:1'], ['group:2']]);
  return report;
}

describe('jointflow run with data triggers', () => {
  it('mapreduce-sort prints succeeded and the sorted input', async () => {
    const report = expectSorted(await jointflow('run', 'examples/mapreduce-sort.json', '--json'));
    // Four mappers, each delivered once into the group's bucket.
    expect(report.triggers?.find((t) => t.trigger === 'shuffle')?.received).toBe(4);
  }, 600_000);

  it('mapreduce-sort gives the same under crashes, duplicates and drops (seed 7)', async () => {
    expectSorted(
      await jointflow(
        'run',
        'examples/mapreduce-sort.json',
        '--json',
        '--faults',
        'crash=0.2,duplicate=0.2,drop=0.1',
        '--seed',
        '7',
      ),
    );
  }, 600_000);

  it('ml-pipeline succeeds and reports which 3 of the 4 replicas won', async () => {
    const run = await jointflow('run', 'examples/ml-pipeline.json', '--json');
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.status).toBe('succeeded');
    const output = report.output as { label: string; answers: number; winners: string[] };
    expect(output.label).toBe('ring');
    expect(output.answers).toBe(3);
    const replicas = [0, 1, 2, 3].map((i) => `classify/map:replicas=${i}`);
    expect(new Set(output.winners).size).toBe(3);
    for (const w of output.winners) expect(replicas).toContain(w);
    // The trigger's committed decision names the same three.
    const vote = report.triggers?.find((t) => t.trigger === 'vote');
    expect(vote?.fired).toHaveLength(1);
    expect([...(vote?.fired[0]?.members ?? [])].sort()).toEqual([...output.winners].sort());
  }, 600_000);

  it('event-stream waits for the time window its event went to and reports its count', async () => {
    const run = await jointflow('run', 'examples/event-stream.json', '--json');
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report & {
      windows?: { trigger: string; execution: string; status: string; output: unknown }[];
    };
    expect(report.status).toBe('succeeded');
    const campaign = (report.output as { campaign: string }).campaign;
    expect(report.windows).toHaveLength(1);
    expect(report.windows?.[0]).toMatchObject({
      trigger: 'perSecond',
      execution: expect.stringMatching(/^wnd\.perSecond\./),
      status: 'succeeded',
      output: { events: 1, counts: { [campaign]: 1 } },
    });
  }, 600_000);

  it('prints each trigger decision under the step table in text mode', async () => {
    const run = await jointflow('run', 'examples/ml-pipeline.json');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/trigger vote: \d received, 1 run\(s\) fired: vote \[classify/);
  }, 600_000);
});
