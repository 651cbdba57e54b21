import { afterEach, describe, expect, it } from 'vitest';
import { chainGraph, type Harness, startHarness } from './testing/apiHarness';
import { memoryClouds, recordingEngine } from './testing/memoryCloud';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchdog and queued invocations', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('waits while a cloud still holds an invocation of the execution, and redrives once none does', async () => {
    const clouds = memoryClouds();
    const engine = recordingEngine();
    const asked: string[] = [];
    let pending = 1;
    const [first] = clouds;
    if (first === undefined) throw new Error('no memory cloud');
    // The local emulator's capability (shim.local.pendingInvocations) on one of the clouds.
    if (first.local === undefined) throw new Error('a memory cloud declares the local capability');
    Object.assign(first.local, {
      async pendingInvocations(execution: string) {
        asked.push(execution);
        return pending;
      },
    });
    h = await startHarness({
      clouds,
      engine,
      extra: { watchdog: { stallMs: 100, intervalMs: 50, maxRedrives: 5 } },
    });
    const { id: workflow } = await h.client.createWorkflow('chain', chainGraph);
    const { id: deployment } = await h.client.deploy(workflow);
    expect((await h.client.waitForDeployment(deployment, 10_000)).status).toBe('ready');
    const { id } = await h.client.startExecution(deployment, {});

    // Queued somewhere: 5 stall periods pass without a redrive (the bound is 8).
    await sleep(500);
    expect(asked).toContain(id);
    expect(engine.redrives.filter((r) => r.execution === id)).toEqual([]);

    pending = 0;
    const until = Date.now() + 3_000;
    while (Date.now() < until && engine.redrives.every((r) => r.execution !== id)) await sleep(25);
    expect(engine.redrives.some((r) => r.execution === id)).toBe(true);
  });
});
