import { keys } from '@jointflow/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/apiHarness';
import { type MemoryCloud, memoryClouds, recordingEngine } from './testing/memoryCloud';

const code = 'export async function handler(input) { return input; }';
const mapGraph = {
  name: 'fan',
  nodes: [
    { kind: 'task', name: 'items', cloud: 'aws-local', code },
    { kind: 'map', name: 'fan', cloud: 'aws-local', items: 'items' },
    { kind: 'task', name: 'work', cloud: 'aliyun-local', code },
    { kind: 'join', name: 'total', cloud: 'aws-local', fanOut: 'fan', code },
  ],
  edges: [
    { id: 'e1', source: 'items', target: 'fan' },
    { id: 'e2', source: 'fan', target: 'work' },
    { id: 'e3', source: 'work', target: 'total' },
  ],
};

describe('GET /api/v1/executions/:id/fan-outs', () => {
  let h: Harness | undefined;
  let clouds: MemoryCloud[] = [];
  afterEach(async () => {
    await h?.close();
  });

  it('answers the committed width of map instances from their checkpoints', async () => {
    clouds = memoryClouds();
    h = await startHarness({ clouds, engine: recordingEngine() });
    const { id: workflow } = await h.client.createWorkflow('fan', mapGraph);
    const { id: deployment } = await h.client.deploy(workflow);
    expect((await h.client.waitForDeployment(deployment, 10_000)).status).toBe('ready');
    const { id } = await h.client.startExecution(deployment, { items: [1, 2, 3, 4, 5] });
    const ask = (query: string) =>
      h?.client.request('GET', `/api/v1/executions/${id}/fan-outs?${query}`);

    // Not committed yet: the width is unknown (null), not zero.
    expect(await ask('instance=fan')).toEqual({
      items: [{ instance: 'fan', node: 'fan', count: null }],
    });
    const home = clouds.find((c) => c.id === 'aws-local');
    await home?.store().putIfAbsent(keys.checkpoint(id, 'fan'), {
      v: 1,
      status: 'succeeded',
      attempt: 1,
      cloud: 'aws-local',
      at: 1,
      durationMs: 1,
      output: { inline: [1, 2, 3, 4, 5] },
      taken: [0],
      mapCount: 5,
    });
    // Steps that are not maps, and keys that are not instances, are left out.
    expect(
      await ask(
        ['fan', 'work/map:fan=0', 'nope', 'bad key!']
          .map((i) => `instance=${encodeURIComponent(i)}`)
          .join('&'),
      ),
    ).toEqual({ items: [{ instance: 'fan', node: 'fan', count: 5 }] });
    await expect(ask('')).rejects.toThrow(/pass 1-200 map instance keys/);

    // The runs list summarises each execution's input.
    const list = await h.client.listExecutions(`?workflow=${workflow}`);
    expect(list.items[0]?.inputSummary).toBe('{"items":[1,2,3,4,5]}');
  });
});
