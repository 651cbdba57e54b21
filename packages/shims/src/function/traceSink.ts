import type { TraceEvent, TraceSink } from '@jointflow/runtime';

/**
 * The trace sink of a function deployed on a real cloud (or its stand-in): events are buffered
 * and each flush POSTs them as one `{"events": [...]}` batch to the API's ingest URL with
 * `Authorization: Bearer <secret>` — the wire format the local clouds' outbox uses. Delivery is
 * at least once (event ids are deterministic; the API deduplicates). A flush that cannot deliver
 * after its retries keeps the events for the next flush and rejects.
 */

export interface HttpTraceSinkOptions {
  /** The API's ingest URL (env `JF_TRACE_URL`). */
  url: string;
  /** The per-deployment ingest secret (env `JF_TRACE_SECRET`); never logged. */
  secret: string;
  /** Attempts per flush (default 3), backing off 100 ms, 200 ms, … between them. */
  attempts?: number;
  fetch?: typeof fetch;
}

/**
 * @example
 * const sink = createHttpTraceSink({ url: process.env.JF_TRACE_URL, secret: process.env.JF_TRACE_SECRET });
 */
export function createHttpTraceSink(options: HttpTraceSinkOptions): TraceSink {
  const attempts = options.attempts ?? 3;
  const send = options.fetch ?? fetch;
  let buffer: TraceEvent[] = [];
  // One flush at a time, so batches arrive in order and none is sent twice concurrently.
  let inFlight: Promise<void> = Promise.resolve();

  async function deliver(): Promise<void> {
    if (buffer.length === 0) return;
    const events = buffer;
    buffer = [];
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        const res = await send(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${options.secret}`,
          },
          body: JSON.stringify({ events }),
        });
        // Drain the body so keep-alive sockets are reused.
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        lastError = `HTTP ${res.status}`;
        // 4xx other than 429 will not get better by retrying (a wrong secret, a bad batch).
        if (res.status >= 400 && res.status < 500 && res.status !== 429) break;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (attempt < attempts) await new Promise((r) => setTimeout(r, 100 * 2 ** (attempt - 1)));
    }
    buffer = [...events, ...buffer];
    throw new Error(
      `TRACE_UNDELIVERED: ${events.length} trace events could not be posted to the ingest URL (${lastError}); check that the Jointflow API is reachable from the function`,
    );
  }

  return {
    emit(event) {
      buffer.push(event);
    },
    flush() {
      const next = inFlight.then(deliver, deliver);
      inFlight = next.catch(() => undefined);
      return next;
    },
  };
}

/** A sink for functions deployed without a trace URL: events are dropped. */
export const discardingTraceSink: TraceSink = {
  emit() {},
  flush: () => Promise.resolve(),
};
