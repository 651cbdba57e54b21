import { describe, expect, it } from 'vitest';
import { chainGraph, type Harness, startHarness } from './testing/apiHarness';
import { useTestLocalClouds } from './testing/testLocalClouds';

/**
 * kill -9 of one local cloud under a running API (what `jointflow up` runs): the health endpoint
 * says `degraded` and names the cloud while it is down; the supervisor restarts it on the same
 * port, says so, and executions run again.
 */
describe('a local cloud killed under the API', () => {
  const events: { cloud: string; kind: string }[] = [];
  const localClouds = useTestLocalClouds('jf-supervise-', {
    supervise: true,
    onEvent: (e) => events.push(e),
  });

  it('is reported degraded, restarted on its port, and runs executions again', async () => {
    const local = localClouds();
    const h: Harness = await startHarness({ clouds: local.clouds.map((c) => c.shim) });
    try {
      const health = async () =>
        (await (await fetch(`${h.api.url}/api/v1/health`)).json()) as {
          status: string;
          degraded?: string[];
        };
      expect(await health()).toMatchObject({ status: 'ok' });
      const aws = local.clouds.find((c) => c.profile.id === 'aws-local');
      if (aws === undefined) throw new Error('no aws-local');
      const before = { url: aws.url, pid: aws.pid };
      process.kill(before.pid, 'SIGKILL');

      // Down: counted by polls (a loaded machine restarts slowly), not by a deadline.
      let seen: { status: string; degraded?: string[] } | undefined;
      for (let i = 0; i < 200 && seen?.status !== 'degraded'; i++) {
        seen = await health();
        if (seen.status !== 'degraded') await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toMatchObject({ status: 'degraded', degraded: ['aws-local'] });

      for (let i = 0; i < 600 && !events.some((e) => e.kind === 'restarted'); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(events.map((e) => `${e.cloud} ${e.kind}`)).toEqual([
        'aws-local down',
        'aws-local restarted',
      ]);
      expect(aws.url).toBe(before.url);
      expect(aws.pid).not.toBe(before.pid);
      expect(await health()).toMatchObject({ status: 'ok' });

      const { id: workflow } = await h.client.createWorkflow('after-restart', chainGraph);
      const { id: deployment } = await h.client.deploy(workflow);
      expect((await h.client.waitForDeployment(deployment, 60_000)).status).toBe('ready');
      const { id } = await h.client.startExecution(deployment, { value: 1 });
      const end = await h.client.followEvents(id, { onEvent: () => {} });
      expect(end?.status).toBe('succeeded');
    } finally {
      await h.close();
    }
  });
});
