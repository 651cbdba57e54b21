import { useCallback, useEffect, useRef, useState } from 'react';
import { followExecutionEvents } from '../api/eventStream';
import type { SseMessage } from '../api/sseParser';
import { completionSchema, RunTrace, readTraceEvent, type TraceEventView } from './runTrace';

export interface RunTraceView {
  trace: RunTrace;
  /** Bumped whenever the trace changed; use it as a memo dependency. */
  version: number;
  live: boolean;
  error: string | null;
  /** Re-renders after the trace was changed from outside the stream (fan-out counts). */
  refresh(): void;
}

/** Parsing and folding per animation frame, so the page keeps painting during a big replay. */
const FRAME_BUDGET_MS = 10;
/** While a backlog remains, React re-renders at most this often (each render walks the trace). */
const RENDER_EVERY_MS = 250;
/** More messages than this waiting to be folded stop the stream reading (backpressure). */
const MAX_BACKLOG = 4_000;

/**
 * Follows an execution's events into a `RunTrace`. Messages are queued as they arrive and
 * parsed and folded in slices of about 10 ms per animation frame: a replay of 200,000 events
 * shows its first screen after the first slice and stays responsive while the rest folds in;
 * React renders the trace at most every 250 ms until the backlog is empty, then at once.
 * The stream reads no further while the backlog is long or before the first screen painted,
 * so reading and parsing the rest of a long history never delays that first screen.
 * A new `generation` (after a redrive) reads the whole history again and follows it live.
 */
export function useRunTrace(executionId: string | null, generation = 0): RunTraceView {
  const traceRef = useRef(new RunTrace());
  const [version, setVersion] = useState(0);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation restarts the stream on purpose
  useEffect(() => {
    if (!executionId) return;
    const trace = new RunTrace();
    traceRef.current = trace;
    setVersion(trace.version);
    setLive(true);
    setError(null);
    let backlog: SseMessage[] = [];
    let next = 0;
    let frame = 0;
    let lastRender = 0;
    let rendered = false;
    let ended = false;
    let resume: (() => void) | undefined;
    const release = () => {
      const settle = resume;
      resume = undefined;
      settle?.();
    };

    const pump = () => {
      frame = 0;
      const started = performance.now();
      const batch: TraceEventView[] = [];
      let completed = false;
      while (next < backlog.length) {
        const message = backlog[next++];
        if (message === undefined) continue;
        let json: unknown;
        try {
          json = JSON.parse(message.data);
        } catch {
          continue;
        }
        if (message.event === 'end' || message.event === 'completion' || message.event === 'done') {
          const completion = completionSchema.safeParse(json);
          if (completion.success) {
            trace.apply(batch.splice(0));
            trace.complete(completion.data);
            completed = true;
          }
          continue;
        }
        const event = readTraceEvent(json);
        if (event !== undefined) batch.push(event);
        if ((next & 255) === 0 && performance.now() - started > FRAME_BUDGET_MS) break;
      }
      if (batch.length > 0) trace.apply(batch);
      const drained = next >= backlog.length;
      if (drained) {
        backlog = [];
        next = 0;
      } else {
        frame = requestAnimationFrame(pump);
      }
      const now = performance.now();
      const firstRender = !rendered;
      if (drained || completed || !rendered || now - lastRender > RENDER_EVERY_MS) {
        rendered = true;
        lastRender = now;
        setVersion(trace.version);
      }
      if (drained && ended) setLive(false);
      if (resume !== undefined && backlog.length - next < MAX_BACKLOG) {
        // After the first render, read on only once that screen has been painted.
        if (firstRender) requestAnimationFrame(release);
        else release();
      }
    };

    const stop = followExecutionEvents(executionId, {
      onMessages(messages) {
        for (const message of messages) backlog.push(message);
        if (frame === 0) frame = requestAnimationFrame(pump);
        if (rendered && backlog.length - next < MAX_BACKLOG) return undefined;
        return new Promise<void>((settle) => {
          resume = settle;
        });
      },
      onEnd() {
        ended = true;
        if (frame === 0) setLive(false);
      },
      onError(e) {
        setError(e.message);
        setLive(false);
      },
    });
    return () => {
      stop();
      release();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [executionId, generation]);

  const refresh = useCallback(() => setVersion(traceRef.current.version), []);
  return { trace: traceRef.current, version, live, error, refresh };
}
