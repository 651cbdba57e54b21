import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Harness, startHarness } from './testing/apiHarness';
import { useTestLocalClouds } from './testing/testLocalClouds';

/**
 * examples/event-stream.json through the API on real local clouds: many producer executions
 * (one ad event each) feed one-second time windows; each window runs as an execution of its
 * own, which the API learns from the trace, with links to the executions that fed it. The
 * windows' counts must equal a sequential count of the same events by the window each was
 * placed in, and every event must be counted exactly once.
 */
const example = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '..', '..', '..', 'examples', 'event-stream.json'),
    'utf8',
  ),
) as { name: string };

const CAMPAIGNS = ['spring-sale', 'new-phone', 'travel', 'books'];
/** The example's lookup, sequentially: the campaign of an ad id. */
function campaignOf(ad: string): string {
  let hash = 0;
  for (const char of ad) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return CAMPAIGNS[hash % CAMPAIGNS.length] as string;
}

/** A window's result: how many events it took and the count per campaign. */
const windowResult = z.object({ events: z.number(), counts: z.record(z.string(), z.number()) });

describe('time windows through the API', () => {
  const localClouds = useTestLocalClouds('jf-api-windows-');

  it.each([
    ['fault-free', undefined],
    [
      'with dropped and duplicated invokes (timers too), recovered by the watchdog',
      { seed: 5, drop: 0.2, duplicate: 0.3 },
    ],
  ] as const)(
    'runs examples/event-stream.json %s: every event counted once, in the window it was placed in',
    async (_label, faults) => {
      const local = localClouds();
      const h: Harness = await startHarness({
        clouds: local.clouds.map((c) => c.shim),
        extra: { watchdog: { stallMs: 1500, intervalMs: 200, maxRedrives: 30 } },
      });
      try {
        for (const cloud of ['aws-local', 'aliyun-local']) {
          await h.client.request('POST', `/api/v1/clouds/${cloud}/faults`, faults ?? {});
        }
        const { id: workflow } = await h.client.createWorkflow(example.name, example);
        const { id: deployment } = await h.client.deploy(workflow);
        expect((await h.client.waitForDeployment(deployment, 60_000)).status).toBe('ready');

        const ads = Array.from({ length: 16 }, (_, i) => `ad-${i}`);
        const producers: { id: string; ad: string }[] = [];
        for (const [i, ad] of ads.entries()) {
          const { id } = await h.client.startExecution(deployment, { ad, user: `u-${i % 5}` });
          producers.push({ id, ad });
          // Spread the events over more than one window.
          if (i === 7) await new Promise((r) => setTimeout(r, 1100));
        }
        for (const p of producers) {
          const end = await h.client.followEvents(p.id, { onEvent: () => {} });
          expect(end?.status).toBe('succeeded');
        }

        // Each producer links to the one window its event was placed in.
        const windowOf = new Map<string, string>();
        for (const p of producers) {
          const view = await h.client.getExecution(p.id);
          expect(view.links.feeds).toHaveLength(1);
          const [feed] = view.links.feeds;
          if (feed !== undefined) windowOf.set(p.id, feed.execution);
        }
        const windows = [...new Set(windowOf.values())];
        expect(windows.length).toBeGreaterThan(1);

        let total = 0;
        for (const w of windows) {
          const end = await h.client.followEvents(w, { onEvent: () => {} });
          expect(end?.status).toBe('succeeded');
          const view = await h.client.getExecution(w);
          expect(view.origin).toMatchObject({ kind: 'window', trigger: 'perSecond' });
          const fed = producers.filter((p) => windowOf.get(p.id) === w);
          expect(view.links.fedByCount).toBe(fed.length);
          const expected: Record<string, number> = {};
          for (const p of fed) expected[campaignOf(p.ad)] = (expected[campaignOf(p.ad)] ?? 0) + 1;
          expect(view.result).toEqual({ events: fed.length, counts: expected });
          total += windowResult.parse(view.result).events;
        }
        expect(total).toBe(ads.length);
      } finally {
        for (const cloud of ['aws-local', 'aliyun-local']) {
          await h.client.request('POST', `/api/v1/clouds/${cloud}/faults`, {}).catch(() => {});
        }
        await h.close();
      }
    },
  );
});
