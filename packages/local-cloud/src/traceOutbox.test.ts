import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceEvent } from '@jointflow/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { type CloudDatabases, openCloudDatabase } from './database';
import { createTraceOutbox, type TraceOutbox } from './traceOutbox';

const event = (id: string): TraceEvent => ({
  id,
  kind: 'step.started',
  execution: 'e1',
  deployment: 'd1',
  instance: 'a',
  node: 'a',
  cloud: 'aws-local',
  attempt: 1,
  hlc: '1-0-aws-local',
  at: 1,
});

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/events`),
    ),
  );
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function open(): { db: CloudDatabases; outbox: TraceOutbox } {
  const dir = mkdtempSync(join(tmpdir(), 'jf-outbox-'));
  const db = openCloudDatabase(dir, 'os');
  const outbox = createTraceOutbox(db.spool);
  cleanup.push(() => {
    outbox.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, outbox };
}

describe('trace outbox', () => {
  it('delivers to a live target while an older target is dead, and to the dead one once it is back', async () => {
    const received: string[] = [];
    const live = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { events: { id: string }[] };
        received.push(...body.events.map((e) => `${req.headers.authorization}:${e.id}`));
        res.writeHead(200).end('{}');
      });
    });
    const liveUrl = await listen(live);
    // A port nobody listens on: the API that was there is gone.
    const gone = createServer();
    const goneUrl = await listen(gone);
    const gonePort = (gone.address() as AddressInfo).port;
    await new Promise((r) => gone.close(r));
    cleanup.push(() => live.close());

    const { outbox } = open();
    outbox.append(goneUrl, 'old', [event('a1'), event('a2')]);
    outbox.append(liveUrl, 'new', [event('b1')]);
    expect(await until(() => received.includes('Bearer new:b1'), 2_000)).toBe(true);
    // The dead target keeps its rows (retried with backoff) and does not block later events.
    outbox.append(liveUrl, 'new', [event('b2')]);
    expect(await until(() => received.includes('Bearer new:b2'), 2_000)).toBe(true);
    // Delivered rows leave the spool on the writer's next turn; the dead target's two stay.
    expect(await until(() => outbox.pending() === 2, 2_000)).toBe(true);
    expect(received.some((r) => r.startsWith('Bearer old'))).toBe(false);

    // The old API comes back on its port: its backlog is delivered, in order.
    const back = createServer(live.listeners('request')[0] as Parameters<typeof createServer>[0]);
    await new Promise<void>((r) => back.listen(gonePort, '127.0.0.1', () => r()));
    cleanup.push(() => back.close());
    expect(await until(() => outbox.pending() === 0, 4_000)).toBe(true);
    expect(received.filter((r) => r.startsWith('Bearer old'))).toEqual([
      'Bearer old:a1',
      'Bearer old:a2',
    ]);
  });
});
