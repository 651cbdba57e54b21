/**
 * The cloud's recent cold starts (process start and modelled start together), kept so the
 * planner can estimate a first run on this host from what cold starts really cost here rather
 * than from the modelled platform's figure (`CloudProfile.measured`).
 */
export interface ColdStarts {
  add(ms: number): void;
  /** Median of the kept samples, undefined before the first. */
  median(): number | undefined;
  /** Samples kept (at most the window). */
  count(): number;
}

/** Keeps the last `window` cold starts. */
export function createColdStarts(window = 32): ColdStarts {
  const samples: number[] = [];
  let next = 0;
  return {
    add(ms) {
      if (!Number.isFinite(ms) || ms < 0) return;
      if (samples.length < window) samples.push(ms);
      else samples[next] = ms;
      next = (next + 1) % window;
    },
    median() {
      if (samples.length === 0) return undefined;
      const sorted = [...samples].sort((a, b) => a - b);
      const middle = sorted.length >> 1;
      const upper = sorted[middle] ?? 0;
      return Math.round(
        sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2,
      );
    },
    count: () => samples.length,
  };
}
