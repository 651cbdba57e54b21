import { describe, expect, it } from 'vitest';
import { ApiClientError } from './apiClient';
import {
  chainGraph,
  type Harness,
  slowChainGraph,
  startHarness,
  traceEvent,
} from './testing/apiHarness';
import { memoryClouds, recordingEngine } from './testing/memoryCloud';
import { useTestLocalClouds } from './testing/testLocalClouds';

async function conflict(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiClientError);
  return (error as ApiClientError).code;
}

describe('cancelling an execution', () => {
  it('is final: cancelled status, closed, SSE ends, no redrive, late events change nothing', async () => {
    const clouds = memoryClouds();
    const engine = recordingEngine();
    const h: Harness = await startHarness({ clouds, engine });
    try {
      const { id: workflow } = await h.client.createWorkflow('chain', chainGraph);
      const { id: deployment } = await h.client.deploy(workflow);
      await h.client.waitForDeployment(deployment, 10_000);
      const { id } = await h.client.startExecution(deployment, { value: 1 });

      expect(await h.client.cancelExecution(id)).toEqual({ id, status: 'cancelled' });
      expect(engine.cancels).toEqual([id]);
      const execution = await h.client.getExecution(id);
      expect(execution).toMatchObject({
        status: 'cancelled',
        error: { message: 'cancelled by a user' },
      });
      expect(execution.closedAt).toEqual(expect.any(Number));
      expect(await h.client.followEvents(id, { onEvent: () => {} })).toMatchObject({
        status: 'cancelled',
      });
      expect(await conflict(h.client.cancelExecution(id))).toBe('API_CONFLICT');
      expect(await conflict(h.client.request('POST', `/api/v1/executions/${id}/redrive`, {}))).toBe(
        'API_CONFLICT',
      );

      // A step that was running commits and its events still arrive; the status stays.
      const secret = clouds[0]?.deployed.find((d) => d.deployment === deployment)?.env
        .JF_TRACE_SECRET;
      const late = [traceEvent(id, deployment, 'second', 'execution.succeeded')];
      const response = await fetch(`${h.api.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: late }),
      });
      expect(((await response.json()) as { accepted: number }).accepted).toBe(1);
      expect((await h.client.getExecution(id)).status).toBe('cancelled');
      const list = await h.client.listExecutions('?status=cancelled');
      expect(list.items.map((e) => e.id)).toEqual([id]);

      // One that finished before the cancel reached the stores keeps its real outcome.
      const { id: done } = await h.client.startExecution(deployment, { value: 2 });
      engine.results.set(done, { status: 'succeeded', result: { value: 4 } });
      expect(await h.client.cancelExecution(done)).toEqual({ id: done, status: 'succeeded' });
    } finally {
      await h.close();
    }
  });

  describe('with real local clouds', () => {
    const localClouds = useTestLocalClouds('jf-cancel-');

    it('starts no step after the one running, which ends at its commit', async () => {
      const local = localClouds();
      const shims = local.clouds.map((c) => c.shim);
      const h = await startHarness({ clouds: shims });
      try {
        const graph = slowChainGraph(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7'], 400);
        const { id: workflow } = await h.client.createWorkflow(graph.name, graph);
        const { id: deployment } = await h.client.deploy(workflow);
        expect((await h.client.waitForDeployment(deployment, 120_000)).status).toBe('ready');
        const { id } = await h.client.startExecution(deployment, { n: 0 });

        // Cancel once s2 has started.
        const controller = new AbortController();
        await h.client
          .followEvents(id, {
            signal: controller.signal,
            onEvent: (e) => {
              if (e.kind === 'step.started' && e.instance === 's2') controller.abort();
            },
          })
          .catch(() => undefined);
        expect((await h.client.cancelExecution(id)).status).toBe('cancelled');

        // Wait until no cloud holds an invocation of it (bounded by polls).
        for (let poll = 0; poll < 400; poll++) {
          const pending = await Promise.all(
            shims.map((s) => s.local?.pendingInvocations(id) ?? Promise.resolve(0)),
          );
          if (pending.every((n) => n === 0)) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const end = await h.client.followEvents(id, { onEvent: () => {} });
        expect(end?.status).toBe('cancelled');
        const execution = await h.client.getExecution(id);
        const started = execution.instances.map((i) => i.instance);
        // s2 was running: it may commit; at most the one after it may have been invoked by a
        // marker read served just before the cancel; nothing later ever starts.
        expect(started.slice(0, 3)).toEqual(['s0', 's1', 's2']);
        expect(started.length).toBeLessThanOrEqual(4);
        expect(execution.status).toBe('cancelled');
      } finally {
        await h.close();
      }
    }, 300_000);
  });
});
