import { describe, expect, it } from 'vitest';
import type { ExecutionEngine } from './executionEngine';
import { chainGraph, startHarness } from './testing/apiHarness';
import { memoryClouds, recordingEngine } from './testing/memoryCloud';

/**
 * A start that cannot reach its cloud (the cloud is restarting under its supervisor) is not a
 * failed execution: it stays running, and the watchdog redrives its start with backoff until
 * the cloud answers, or fails it with a reason once its redrives run out.
 */
describe('a start whose cloud does not answer', () => {
  const setUp = async (cloudBack: () => boolean, maxRedrives: number, stallMs: number) => {
    const engine = recordingEngine();
    const down: ExecutionEngine = {
      ...engine,
      async start(run) {
        engine.starts.push(run);
        if (cloudBack()) return;
        throw Object.assign(new Error('POST /store/put-if-absent: connect ECONNREFUSED'), {
          code: 'CLOUD_UNREACHABLE',
        });
      },
      async redrive(run) {
        engine.redrives.push(run);
        if (!cloudBack())
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'CLOUD_UNREACHABLE' });
        // The start record never reached the store: there is nothing to rerun.
        throw Object.assign(new Error('no start record'), { code: 'RUNTIME_UNKNOWN_EXECUTION' });
      },
    };
    const h = await startHarness({
      clouds: memoryClouds(),
      engine: down,
      extra: { watchdog: { stallMs, intervalMs: 50, maxRedrives } },
    });
    const { id: workflow } = await h.client.createWorkflow('chain', chainGraph);
    const { id: deployment } = await h.client.deploy(workflow);
    await h.client.waitForDeployment(deployment, 10_000);
    return { h, engine, deployment };
  };

  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 400 && !(await check()); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
  };

  it('stays running and is redriven by the watchdog once the cloud is back', async () => {
    let back = false;
    // Redrives 0.4, 0.8, 1.6, 3.2 s apart: the cloud comes back before they run out.
    const { h, engine, deployment } = await setUp(() => back, 5, 400);
    try {
      const { id } = await h.client.startExecution(deployment, { value: 1 });
      // The quick retries, then no failure: the watchdog owns it now.
      expect(engine.starts.filter((s) => s.execution === id).length).toBeGreaterThan(1);
      expect((await h.client.getExecution(id)).status).toBe('running');
      back = true;
      // The watchdog's redrive finds no start record and starts it instead.
      const starts = engine.starts.filter((s) => s.execution === id).length;
      await until(async () => engine.starts.filter((s) => s.execution === id).length > starts);
      expect(engine.redrives.some((r) => r.execution === id)).toBe(true);
      expect(engine.starts.filter((s) => s.execution === id).length).toBe(starts + 1);
      expect((await h.client.getExecution(id)).status).toBe('running');
    } finally {
      await h.close();
    }
  });

  it('fails, saying why, when its redrives run out', async () => {
    const { h, engine, deployment } = await setUp(() => false, 3, 100);
    try {
      const { id } = await h.client.startExecution(deployment, { value: 1 });
      await until(async () => (await h.client.getExecution(id)).status === 'failed');
      const execution = await h.client.getExecution(id);
      expect(execution.status).toBe('failed');
      expect(JSON.stringify(execution.error)).toContain('no progress after 3 redrives');
      // Each redrive was tried (and refused) before the run was given up.
      expect(engine.redrives.filter((r) => r.execution === id)).toHaveLength(3);
    } finally {
      await h.close();
    }
  });
});
