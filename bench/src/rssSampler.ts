import { readFileSync } from 'node:fs';

/** Current resident set size (VmRSS) of a live process in bytes; 0 when it cannot be read. */
export function currentRssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples the whole stack's memory while something runs: every `intervalMs` it asks the system
 * for its processes (servers, workers, endpoints; the set changes as workers start and stop) and
 * sums their VmRSS. `stop()` resolves with the largest sum seen, in bytes.
 */
export function sampleStackRss(
  pids: () => Promise<number[]>,
  intervalMs = 100,
): { stop(): Promise<number> } {
  let peak = 0;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const sample = async () => {
    const list = await pids().catch(() => [] as number[]);
    const total = [...new Set(list)].reduce((sum, pid) => sum + currentRssBytes(pid), 0);
    peak = Math.max(peak, total);
  };
  const tick = () => {
    if (stopped) return;
    inFlight = sample().finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  let timer: NodeJS.Timeout = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      await sample();
      return peak;
    },
  };
}
