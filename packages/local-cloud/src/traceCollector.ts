import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TraceEvent, traceEventSchema } from '@jointflow/runtime';
import { z } from 'zod';

/**
 * A tiny loopback trace receiver for the CLI and tests: it speaks the API's ingest shape
 * (`POST {events}` with `Authorization: Bearer <secret>`), deduplicates by event id and keeps the
 * events in memory. The API has its own, durable ingest; this one lives as long as one run.
 */
export interface TraceCollector {
  /** The ingest URL to give deployed functions as `JF_TRACE_URL`. */
  url: string;
  /** A fresh random secret for `JF_TRACE_SECRET`. */
  secret: string;
  /** Distinct events received, in arrival order. */
  events(): TraceEvent[];
  /**
   * Wall-clock ms of the last sign of progress of `execution` (or of any execution): a new
   * event that moves it forward (an instance started or committed, a once effect, the result).
   * Adoptions, failovers and billing are not progress: a redrive that re-walks the committed
   * prefix produces many of them while the execution is still stuck where it was.
   */
  lastEventAt(execution?: string): number | undefined;
  /** When false, answers 503 (to test the clouds' outbox). */
  setAvailable(available: boolean): void;
  close(): Promise<void>;
}

/** Each event is parsed on its own, as the API's ingest does: a bad one is counted, not fatal. */
const ingestBody = z.object({ events: z.array(z.unknown()) });

const NOT_PROGRESS: ReadonlySet<string> = new Set([
  'step.adopted',
  'invoke.failover',
  'invocation.billed',
]);

export async function startTraceCollector(): Promise<TraceCollector> {
  const secret = randomBytes(24).toString('hex');
  const expected = Buffer.from(`Bearer ${secret}`);
  const seen = new Map<string, TraceEvent>();
  const last = new Map<string, number>();
  let lastAny: number | undefined;
  let available = true;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (!available)
        return reply(503, { error: { code: 'COLLECTOR_DOWN', message: 'collector unavailable' } });
      const auth = Buffer.from(String(req.headers.authorization ?? ''));
      if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
        return reply(401, { error: { code: 'API_UNAUTHORIZED', message: 'wrong ingest secret' } });
      }
      let parsed: z.infer<typeof ingestBody>;
      try {
        parsed = ingestBody.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        return reply(400, {
          error: { code: 'API_VALIDATION', message: 'body must be {events: TraceEvent[]}' },
        });
      }
      let accepted = 0;
      let invalid = 0;
      const now = Date.now();
      for (const raw of parsed.events) {
        const checked = traceEventSchema.safeParse(raw);
        if (!checked.success) {
          invalid++;
          continue;
        }
        const event = checked.data;
        if (seen.has(event.id)) continue;
        seen.set(event.id, event);
        if (!NOT_PROGRESS.has(event.kind)) {
          last.set(event.execution, now);
          lastAny = now;
        }
        accepted++;
      }
      reply(200, { accepted, duplicates: parsed.events.length - accepted - invalid, invalid });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/ingest`,
    secret,
    events: () => [...seen.values()],
    lastEventAt: (execution) => (execution === undefined ? lastAny : last.get(execution)),
    setAvailable(value) {
      available = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
