// Synthetic data for the web benchmark: a large graph and a large run, served to the built app
// through Playwright's request routing (no API, no clouds involved).

import { defaultCloudProfiles } from '@jointflow/ir';

export const CLOUDS = defaultCloudProfiles;
const cloudId = (i: number): string => CLOUDS[i % CLOUDS.length]?.id ?? 'aws-local';

/** A `nodes`-step graph: a grid of tasks chained row by row, alternating clouds per column. */
export function bigGraph(nodes: number) {
  const columns = 25;
  const code = 'export async function handler(input: unknown) {\n  return input;\n}\n';
  const list: Record<string, unknown>[] = [];
  for (let i = 0; i < nodes; i++) {
    list.push({
      kind: 'task',
      name: `step${i}`,
      cloud: cloudId(i % columns),
      code,
      position: { x: (i % columns) * 240, y: Math.floor(i / columns) * 120 },
    });
  }
  const edges: { id: string; source: string; target: string }[] = [];
  for (let i = 1; i < nodes; i++)
    edges.push({ id: `e${i}`, source: `step${i - 1}`, target: `step${i}` });
  return { format: 1, name: `bench-${nodes}`, nodes: list, edges, sampleInput: {} };
}

/** The graph of the synthetic run: a map over `score` collected by a join. */
export function mapGraph() {
  const code = 'export async function handler(input: unknown) {\n  return input;\n}\n';
  return {
    format: 1,
    name: 'scores',
    nodes: [
      { kind: 'map', name: 'fan', cloud: cloudId(0), position: { x: 0, y: 0 } },
      { kind: 'task', name: 'score', cloud: cloudId(1), code, position: { x: 240, y: 0 } },
      {
        kind: 'join',
        name: 'collect',
        fanOut: 'fan',
        cloud: cloudId(0),
        code: '',
        position: { x: 480, y: 0 },
      },
    ],
    edges: [
      { id: 'e1', source: 'fan', target: 'score' },
      { id: 'e2', source: 'score', target: 'collect' },
    ],
    sampleInput: [],
  };
}

/**
 * `count` trace events of a map over many instances, as the API streams them (`seq` ids), plus
 * the completion message. One instance in ten needs a retry; one in fifty fails over.
 */
export function bigRunSse(execution: string, count: number): string {
  const lines: string[] = [];
  let seq = 0;
  const t0 = 1_790_000_000_000;
  const push = (event: Record<string, unknown>) => {
    seq += 1;
    lines.push(`id: ${seq}\nevent: trace\ndata: ${JSON.stringify({ seq, ...event })}\n\n`);
  };
  for (let i = 0; seq < count; i++) {
    const instance = `score/map:fan=${i}`;
    const cloud = cloudId(i);
    const start = t0 + i * 3;
    const base = {
      execution,
      deployment: 'dep_bench',
      instance,
      node: 'score',
      cloud,
      hlc: `${start}-0-${cloud}`,
    };
    const id = (kind: string, attempt = 1) => `${execution}/${instance}/${kind}/${attempt}`;
    push({
      ...base,
      id: id('step.started'),
      kind: 'step.started',
      attempt: 1,
      at: start,
      input: { i },
    });
    if (i % 10 === 0 && seq < count) {
      push({
        ...base,
        id: id('step.retrying'),
        kind: 'step.retrying',
        attempt: 1,
        at: start + 20,
        error: { message: 'transient' },
      });
    }
    if (i % 50 === 0 && seq < count) {
      push({
        ...base,
        id: id('invoke.failover'),
        kind: 'invoke.failover',
        attempt: 1,
        at: start + 1,
        from: cloud,
        to: cloudId(i + 1),
      });
    }
    if (seq < count) {
      push({
        ...base,
        id: id('step.succeeded'),
        kind: 'step.succeeded',
        attempt: 1,
        at: start + 40,
        durationMs: 40,
        output: { score: i % 97 },
      });
    }
    if (seq < count) {
      push({
        ...base,
        id: id('invocation.billed'),
        kind: 'invocation.billed',
        attempt: 1,
        at: start + 41,
        durationMs: 41,
        billedMs: 41,
        costUsd: 0.0000007,
        // Host timings: the first branches meet cold sandboxes, the rest queue a little.
        queuedMs: i % 7,
        coldStartMs: i < 50 ? 250 : 0,
      });
    }
  }
  lines.push(
    `event: end\ndata: ${JSON.stringify({ status: 'succeeded', lastSeq: seq, result: { ok: true } })}\n\n`,
  );
  return lines.join('');
}
