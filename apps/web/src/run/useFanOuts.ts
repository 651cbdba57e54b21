import { useEffect, useMemo, useState } from 'react';
import { runApi } from './runApi';
import type { RunTrace } from './runTrace';

const RETRY_MS = 1000;

/**
 * Asks the API for the committed width of every map instance that has committed, so a mapped
 * step can count its branches that have not started yet. Asks again (while the run is live)
 * when a count is not readable yet.
 */
export function useFanOuts(
  executionId: string | null,
  trace: RunTrace,
  version: number,
  mapNodes: ReadonlySet<string>,
  live: boolean,
  refresh: () => void,
): void {
  const [retry, setRetry] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the trace mutates in place; version says when
  const unknown = useMemo(
    () => (mapNodes.size === 0 ? [] : trace.unknownFanOuts(mapNodes).slice(0, 200)),
    [trace, version, mapNodes, retry],
  );
  const key = unknown.join('\n');
  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for the instances asked
  useEffect(() => {
    if (executionId === null || unknown.length === 0) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    runApi
      .fanOuts(executionId, unknown)
      .then((answer) => {
        if (cancelled) return;
        if (trace.setFanOuts(answer.items)) refresh();
        if (live && answer.items.some((i) => i.count === null))
          timer = setTimeout(() => setRetry((n) => n + 1), RETRY_MS);
      })
      .catch(() => {
        if (!cancelled && live) timer = setTimeout(() => setRetry((n) => n + 1), RETRY_MS);
      });
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [executionId, key, live]);
}
