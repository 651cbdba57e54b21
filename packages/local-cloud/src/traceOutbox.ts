import type { TraceEvent } from '@jointflow/runtime';
import { httpRequest } from '@jointflow/shims';
import type { CloudDatabase } from './database';
import { createSpoolWriter, type SpoolWriter } from './spoolWriter';

/**
 * Trace events leave a cloud through a durable outbox: the worker hands its batch to the host,
 * the host queues it for SQLite (spoolWriter.ts, written at the end of that event-loop turn)
 * before it handles the worker's next message (so a worker that crashes right after loses
 * nothing), and a background sender POSTs `{events}` to the deployment's trace URL with
 * `Authorization: Bearer <secret>`, deleting rows only after a 2xx. Each target (URL + secret)
 * is delivered on its own: a pass sends one batch to every target that is not backing off, in
 * parallel, oldest first within a target; a target that fails backs off alone (50 ms doubling to
 * 2 s), so an API that is gone (e.g. `jointflow up` restarted on another port) never holds up
 * the events for one that is up. Delivery is at least once (event ids are deterministic, the
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

interface Target {
  url: string;
  secret: string;
}

const targetKey = (t: Target) => `${t.url}\n${t.secret}`;

/**
 * `writer` batches the appends with the cloud's other spool writes (one transaction per
 * event-loop turn); every read of the outbox flushes it first.
 */
export function createTraceOutbox(
  db: CloudDatabase,
  writer: SpoolWriter = createSpoolWriter(db),
): TraceOutbox {
  const insert = db.prepare<[string, string, string]>(
    'INSERT INTO trace_outbox (url, secret, event) VALUES (?, ?, ?)',
  );
  const appendTx = db.transaction((url: string, secret: string, events: readonly TraceEvent[]) => {
    for (const event of events) insert.run(url, secret, JSON.stringify(event));
  });
  const targets = db.prepare<[], Target>(
    'SELECT url, secret FROM trace_outbox GROUP BY url, secret ORDER BY min(id)',
  );
  const batch = db.prepare<[string, string, number], { id: number; event: string }>(
    'SELECT id, event FROM trace_outbox WHERE url = ? AND secret = ? ORDER BY id LIMIT ?',
  );
  const remove = db.prepare<[number, number, string, string]>(
    'DELETE FROM trace_outbox WHERE id >= ? AND id <= ? AND url = ? AND secret = ?',
  );
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM trace_outbox');

  /** Targets that failed: how long they back off and when they may be tried again. */
  const backoff = new Map<string, { ms: number; retryAt: number }>();
  let sending = false;
  let again = false;
  let closed = false;
  let timer: { at: number; handle: NodeJS.Timeout } | undefined;

  /** Runs a pass after `delayMs`, or sooner if one is already due sooner. */
  const schedule = (delayMs: number) => {
    if (closed) return;
    const at = Date.now() + delayMs;
    if (timer !== undefined) {
      if (timer.at <= at) return;
      clearTimeout(timer.handle);
    }
    const handle = setTimeout(() => {
      timer = undefined;
      void send();
    }, delayMs);
    handle.unref();
    timer = { at, handle };
  };

  /** POSTs the target's oldest batch; true when it left the outbox (delivered or refused for good). */
  async function deliver(target: Target): Promise<boolean> {
    const rows = batch.all(target.url, target.secret, BATCH);
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (first === undefined || last === undefined) return true;
    const body = `{"events":[${rows.map((r) => r.event).join(',')}]}`;
    let ok = false;
    try {
      const res = await httpRequest({
        method: 'POST',
        url: target.url,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${target.secret}` },
        body,
        timeoutMs: 10_000,
      });
      ok = res.status >= 200 && res.status < 300;
      // A 4xx other than auth or overload will not get better by retrying: drop the batch
      // rather than block every later event of this target behind it.
      if (!ok && res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 429)
        ok = true;
    } catch {
      ok = false;
    }
    if (ok && !closed) remove.run(first.id, last.id, target.url, target.secret);
    return ok;
  }

  async function send(): Promise<void> {
    if (closed) return;
    writer.flush();
    if (sending) {
      again = true;
      return;
    }
    sending = true;
    try {
      for (;;) {
        again = false;
        const now = Date.now();
        const due = targets.all().filter((t) => (backoff.get(targetKey(t))?.retryAt ?? 0) <= now);
        if (due.length === 0) break;
        const results = await Promise.all(due.map(deliver));
        if (closed) return;
        due.forEach((target, i) => {
          const key = targetKey(target);
          if (results[i]) {
            backoff.delete(key);
            return;
          }
          const ms = Math.min(MAX_BACKOFF_MS, (backoff.get(key)?.ms ?? 25) * 2);
          backoff.set(key, { ms, retryAt: Date.now() + ms });
        });
        if (!results.some(Boolean) && !again) break;
      }
      // Targets still waiting: come back when the first of them may be retried.
      let next: number | undefined;
      for (const { retryAt } of backoff.values()) next = Math.min(next ?? retryAt, retryAt);
      if (next !== undefined && (count.get()?.n ?? 0) > 0) schedule(Math.max(0, next - Date.now()));
      else if (next !== undefined) backoff.clear();
    } finally {
      sending = false;
    }
  }

  return {
    append(url, secret, events) {
      if (events.length === 0) return;
      writer.later(() => appendTx(url, secret, events));
      const wait = backoff.get(targetKey({ url, secret }));
      schedule(wait === undefined ? BATCH_WINDOW_MS : Math.max(0, wait.retryAt - Date.now()));
    },
    pending: () => {
      writer.flush();
      return count.get()?.n ?? 0;
    },
    kick: () => schedule(0),
    async drain(timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        writer.flush();
        if ((count.get()?.n ?? 0) === 0) return true;
        schedule(0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return (count.get()?.n ?? 0) === 0;
    },
    close() {
      writer.flush();
      closed = true;
      if (timer !== undefined) clearTimeout(timer.handle);
    },
  };
}
