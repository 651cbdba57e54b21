import { authHeaders } from './apiClient';
import { type SseMessage, SseParser } from './sseParser';

export interface EventStreamHandlers {
  /**
   * New messages. A returned promise is backpressure: the stream reads nothing more until it
   * settles, so a long replay waits in the network buffer instead of the page's memory.
   */
  onMessages(messages: SseMessage[]): undefined | Promise<void>;
  /** The server closed the stream after its completion event. */
  onEnd(): void;
  onError(error: Error): void;
}

const COMPLETION_EVENTS = new Set(['completion', 'end', 'done']);
/** Longest stretch of reading and parsing before the stream lets the page paint. */
const YIELD_AFTER_MS = 12;

/**
 * Follows an execution's event stream over `fetch` (so the Authorization header can be sent),
 * reconnecting with `Last-Event-ID` when the connection drops before the completion event.
 * Returns a function that stops following.
 */
export function followExecutionEvents(
  executionId: string,
  handlers: EventStreamHandlers,
): () => void {
  const abort = new AbortController();
  let lastEventId: string | undefined;
  let completed = false;
  let backoffMs = 250;

  const connect = async (): Promise<void> => {
    while (!abort.signal.aborted && !completed) {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders() };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      try {
        const response = await fetch(
          `/api/v1/executions/${encodeURIComponent(executionId)}/events`,
          {
            headers,
            signal: abort.signal,
          },
        );
        if (!response.ok || !response.body) {
          if (response.status >= 400 && response.status < 500) {
            handlers.onError(
              new Error(`WEB_EVENTS_REFUSED: the event stream answered ${response.status}`),
            );
            return;
          }
          throw new Error(`event stream answered ${response.status}`);
        }
        backoffMs = 250;
        const parser = new SseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let sliceStart = performance.now();
        for (;;) {
          // A replay already buffered resolves every read at once, as microtasks: yield to the
          // page now and then, or a 67 MB history would block painting until it is all parsed.
          if (performance.now() - sliceStart > YIELD_AFTER_MS) {
            await new Promise((resolve) => setTimeout(resolve, 0));
            sliceStart = performance.now();
          }
          const { value, done } = await reader.read();
          if (done) break;
          const messages = parser.push(value);
          if (messages.length === 0) continue;
          const last = messages[messages.length - 1];
          if (last?.id !== undefined) lastEventId = last.id;
          if (messages.some((m) => COMPLETION_EVENTS.has(m.event))) completed = true;
          // A handler's own failure is not a network problem: report it instead of reconnecting.
          let ready: undefined | Promise<void>;
          try {
            ready = handlers.onMessages(messages);
          } catch (error) {
            handlers.onError(error instanceof Error ? error : new Error(String(error)));
            abort.abort();
            return;
          }
          if (ready !== undefined) {
            await ready;
            sliceStart = performance.now();
          }
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        // What is left here are fetch and stream-read failures (the network): reconnect.
        if (!(error instanceof Error)) throw error;
      }
      if (completed) {
        handlers.onEnd();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  };
  connect().catch((error: unknown) =>
    handlers.onError(error instanceof Error ? error : new Error(String(error))),
  );
  return () => abort.abort();
}
