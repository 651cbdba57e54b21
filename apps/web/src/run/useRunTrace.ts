import { useCallback, useEffect, useRef, useState } from 'react';
import { followExecutionEvents } from '../api/eventStream';
import { completionSchema, RunTrace, type TraceEventView, traceEventSchema } from './runTrace';

export interface RunTraceView {
  trace: RunTrace;
  /** Bumped whenever the trace changed; use it as a memo dependency. */
  version: number;
  live: boolean;
  error: string | null;
  /** Re-renders after the trace was changed from outside the stream (fan-out counts). */
  refresh(): void;
}

/**
 * Follows an execution's events into a `RunTrace`. Messages are folded in batches once per
 * animation frame, so a replay of 20,000 events renders a handful of times, not 20,000.
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
    let pending: TraceEventView[] = [];
    let frame = 0;
    const flush = () => {
      frame = 0;
      const batch = pending;
      pending = [];
      trace.apply(batch);
      setVersion(trace.version);
    };
    const stop = followExecutionEvents(executionId, {
      onMessages(messages) {
        for (const message of messages) {
          let json: unknown;
          try {
            json = JSON.parse(message.data);
          } catch {
            continue;
          }
          if (
            message.event === 'end' ||
            message.event === 'completion' ||
            message.event === 'done'
          ) {
            const completion = completionSchema.safeParse(json);
            if (completion.success) {
              if (pending.length > 0) flush();
              trace.complete(completion.data);
              setVersion(trace.version);
            }
            continue;
          }
          const event = traceEventSchema.safeParse(json);
          if (event.success) pending.push(event.data);
        }
        if (pending.length > 0 && frame === 0) frame = requestAnimationFrame(flush);
      },
      onEnd() {
        setLive(false);
      },
      onError(e) {
        setError(e.message);
        setLive(false);
      },
    });
    return () => {
      stop();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
    // A new generation (after a redrive) reads the whole history again and follows it live.
  }, [executionId, generation]);

  const refresh = useCallback(() => setVersion(traceRef.current.version), []);
  return { trace: traceRef.current, version, live, error, refresh };
}
