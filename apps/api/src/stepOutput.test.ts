import { keys, tombstoneOf } from '@jointflow/runtime';
import { describe, expect, it } from 'vitest';
import { chainGraph, startHarness } from './testing/apiHarness';
import { memoryClouds, recordingEngine } from './testing/memoryCloud';
import { useTestLocalClouds } from './testing/testLocalClouds';

/** A committed success as the runtime writes it. */
function succeeded(output: unknown) {
  return {
    v: 1,
    status: 'succeeded',
    attempt: 1,
    cloud: 'aws-local',
    at: 1,
    durationMs: 1,
    output,
    taken: [],
  };
}

describe('GET /api/v1/executions/:id/output', () => {
  it('answers inline and blob outputs in full, and says why when there is none', async () => {
    const clouds = memoryClouds();
    const h = await startHarness({ clouds, engine: recordingEngine() });
    try {
      const { id: workflow } = await h.client.createWorkflow('chain', chainGraph);
      const { id: deployment } = await h.client.deploy(workflow);
      const ready = await h.client.waitForDeployment(deployment, 10_000);
      const { id } = await h.client.startExecution(deployment, { value: 1 });
      const home = (node: string) => {
        const store = ready.ir.functions[node]?.homeStore;
        const cloud = clouds.find((c) => c.profile.id === store);
        if (cloud === undefined) throw new Error(`no cloud for ${node}`);
        return cloud;
      };
      const get = (instance: string, extra = '') =>
        fetch(
          `${h.api.url}/api/v1/executions/${id}/output?instance=${encodeURIComponent(instance)}${extra}`,
          { headers: { authorization: `Bearer ${h.api.token}` } },
        );

      // Not committed yet.
      let response = await get('first');
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'API_NOT_FOUND',
      );

      // Inline.
      await home('first')
        .store()
        .putIfAbsent(keys.checkpoint(id, 'first'), succeeded({ inline: { value: 2 } }));
      response = await get('first');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ value: 2 });

      // A 5 MB blob: its bytes as stored, as an attachment when asked.
      const big = { values: Array.from({ length: 600_000 }, (_, i) => i) };
      const text = JSON.stringify(big);
      const blob = await home('second').blobs().put(new TextEncoder().encode(text));
      await home('second')
        .store()
        .putIfAbsent(
          keys.checkpoint(id, 'second'),
          succeeded({ blob, cloud: home('second').profile.id, bytes: text.length }),
        );
      response = await get('second', '&download=1');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="${id}-second.json"`,
      );
      expect(Number(response.headers.get('x-jointflow-output-bytes'))).toBe(text.length);
      expect(await response.text()).toBe(text);
      expect(JSON.parse(await h.client.stepOutputText(id, 'second'))).toEqual(big);

      // Unknown step, bad key, and a failed step.
      expect((await get('nope')).status).toBe(404);
      expect((await get('first/map:')).status).toBe(400);
      await home('first')
        .store()
        .delete([keys.checkpoint(id, 'first')]);
      await home('first')
        .store()
        .putIfAbsent(keys.checkpoint(id, 'first'), {
          v: 1,
          status: 'failed',
          attempt: 1,
          cloud: 'aws-local',
          at: 1,
          durationMs: 1,
          error: { message: 'boom' },
          input: { inline: null },
        });
      response = await get('first');
      expect(response.status).toBe(409);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
        'boom',
      );

      // Closed: the outputs are gone, and the answer says so.
      await home('second')
        .store()
        .seal(`${id}/`, tombstoneOf({ closedAt: 1, status: 'succeeded' }), { ttlMs: 60_000 });
      response = await get('second');
      expect(response.status).toBe(410);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'API_OUTPUT_GONE',
      );
    } finally {
      await h.close();
    }
  });

  describe('with real local clouds', () => {
    const localClouds = useTestLocalClouds('jf-output-');

    it('a step result stored as a blob is read back in full through the API', async () => {
      const local = localClouds();
      const h = await startHarness({ clouds: local.clouds.map((c) => c.shim) });
      try {
        const graph = {
          name: 'big-output',
          nodes: [
            {
              kind: 'task',
              name: 'big',
              cloud: 'aws-local',
              code: 'export async function handler(input) { return { rows: Array.from({ length: input.n }, (_, i) => ({ i, label: "row " + i })) }; }',
            },
            {
              kind: 'task',
              name: 'count',
              cloud: 'aliyun-local',
              code: 'export async function handler(input) { return { count: input.rows.length }; }',
            },
          ],
          edges: [{ id: 'e1', source: 'big', target: 'count' }],
        };
        const { id: workflow } = await h.client.createWorkflow(graph.name, graph);
        const { id: deployment } = await h.client.deploy(workflow);
        expect((await h.client.waitForDeployment(deployment, 120_000)).status).toBe('ready');
        const n = 50_000; // about 1.4 MB of JSON: far over the inline limits
        const { id } = await h.client.startExecution(deployment, { n });
        const end = await h.client.followEvents(id, { onEvent: () => {} });
        expect(end?.status).toBe('succeeded');
        expect(end?.result).toEqual({ count: n });

        // The trace has only the blob pointer; the API fetches the value.
        const execution = await h.client.getExecution(id);
        const big = (execution.instances as { instance: string; output?: unknown }[]).find(
          (i) => i.instance === 'big',
        );
        expect(big?.output).toMatchObject({ blob: expect.any(String), bytes: expect.any(Number) });
        const value = JSON.parse(await h.client.stepOutputText(id, 'big')) as {
          rows: { i: number; label: string }[];
        };
        expect(value.rows).toHaveLength(n);
        expect(value.rows[n - 1]).toEqual({ i: n - 1, label: `row ${n - 1}` });
      } finally {
        await h.close();
      }
    }, 300_000);
  });
});
