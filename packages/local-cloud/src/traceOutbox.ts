import type { TraceEvent } from '@jointflow/runtime';
import { httpRequest } from '@jointflow/shims';
import type { CloudDatabase } from './database';

/**
 * Trace events leave a cloud through a durable outbox: the worker hands its batch to the host,
 * the host appends it to SQLite before acknowledging (so a worker that crashes right after loses
 * nothing), and a background sender POSTs `{events}` to the deployment's trace URL with
 * `Authorization: Bearer <secret>`, deleting rows only after a 2xx. While the receiver is down the
 * rows wait and the sender backs off; delivery is at least once (event ids are deterministic, the
 * receiver deduplicates). The secret is stored with the rows, never logged.
 */
export interface TraceOutbox {
  append(url: string, secret: string, events: readonly TraceEvent[]): void;
  /** Rows not yet delivered. */
  pending(): number;
  /** Starts a delivery pass now (e.g. for rows left by an earlier run of this cloud). */
  kick(): void;
  /** Resolves when the outbox is empty or `timeoutMs` passed; returns whether it is empty. */
  drain(timeoutMs: number): Promise<boolean>;
  close(): void;
}

const BATCH = 500;
/**
 * How long appended events wait before a send: batches many steps into one POST, so the trace
 * costs the cloud a request per window rather than per step (the UI sees it ≤ 20 ms later).
 */
const BATCH_WINDOW_MS = 20;
const MAX_BACKOFF_MS = 2_000;

export function createTraceOutbox(db: CloudDatabase): TraceOutbox {
  const insert = db.prepare<[string, string, string]>(
    'INSERT INTO trace_outbox (url, secret, event) VALUES (?, ?, ?)',
  );
  const appendTx = db.transaction((url: string, secret: string, events: readonly TraceEvent[]) => {
    for (const event of events) insert.run(url, secret, JSON.stringify(event));
  });
  const head = db.prepare<[], { url: string; secret: string }>(
    'SELECT url, secret FROM trace_outbox ORDER BY id LIMIT 1',
  );
  const batch = db.prepare<[string, string, number], { id: number; event: string }>(
    'SELECT id, event FROM trace_outbox WHERE url = ? AND secret = ? ORDER BY id LIMIT ?',
  );
  const remove = db.prepare<[number, number, string, string]>(
    'DELETE FROM trace_outbox WHERE id >= ? AND id <= ? AND url = ? AND secret = ?',
  );
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM trace_outbox');

  let sending = false;
  let closed = false;
  let backoffMs = 0;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (delayMs: number) => {
    if (closed || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void send();
    }, delayMs);
    timer.unref();
  };

  async function send(): Promise<void> {
    if (sending || closed) return;
    sending = true;
    try {
      for (;;) {
        const target = head.get();
        if (target === undefined) return;
        const rows = batch.all(target.url, target.secret, BATCH);
        const first = rows[0];
        const last = rows[rows.length - 1];
        if (first === undefined || last === undefined) return;
        const body = `{"events":[${rows.map((r) => r.event).join(',')}]}`;
        let ok = false;
        try {
          const res = await httpRequest({
            method: 'POST',
            url: target.url,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${target.secret}`,
            },
            body,
            timeoutMs: 10_000,
          });
          ok = res.status >= 200 && res.status < 300;
          // A 4xx other than auth or overload will not get better by retrying: drop the batch
          // rather than block every later event behind it.
          if (
            !ok &&
            res.status >= 400 &&
            res.status < 500 &&
            res.status !== 401 &&
            res.status !== 429
          ) {
            ok = true;
          }
        } catch {
          ok = false;
        }
        if (!ok) {
          backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs === 0 ? 50 : backoffMs * 2);
          schedule(backoffMs);
          return;
        }
        backoffMs = 0;
        remove.run(first.id, last.id, target.url, target.secret);
      }
    } finally {
      sending = false;
    }
  }

  return {
    append(url, secret, events) {
      if (events.length === 0) return;
      appendTx(url, secret, events);
      if (backoffMs === 0) schedule(BATCH_WINDOW_MS);
    },
    pending: () => count.get()?.n ?? 0,
    kick: () => schedule(0),
    async drain(timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        if ((count.get()?.n ?? 0) === 0) return true;
        schedule(0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return (count.get()?.n ?? 0) === 0;
    },
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
