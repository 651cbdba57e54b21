import { percentiles } from '@jointflow/runtime/summary';

/** One instance row as `GET /executions/:id` reports it (its `instances` field). */
export interface InstanceRow {
  node: string;
  durationMs: number | null;
  costUsd: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface StepNumbers {
  instances: number;
  /** Median of the step code's duration over its instances (ms). */
  p50Ms: number | null;
  maxMs: number | null;
  /** First start to last finish over the step's instances (ms). */
  spanMs: number | null;
  costUsd: number;
}

export interface StepComparison {
  step: string;
  a: StepNumbers | undefined;
  b: StepNumbers | undefined;
  /** b - a, where both ran. */
  p50DeltaMs: number | null;
  spanDeltaMs: number | null;
  costDeltaUsd: number | null;
}

/** Per-step numbers of one run from its instance rows. */
export function stepNumbers(rows: readonly InstanceRow[]): Map<string, StepNumbers> {
  const byStep = new Map<string, InstanceRow[]>();
  for (const row of rows) {
    const list = byStep.get(row.node) ?? [];
    list.push(row);
    byStep.set(row.node, list);
  }
  const out = new Map<string, StepNumbers>();
  for (const [step, list] of byStep) {
    const durations = list.flatMap((r) => (r.durationMs === null ? [] : [r.durationMs]));
    const starts = list.flatMap((r) => (r.startedAt === null ? [] : [r.startedAt]));
    // The API's `finishedAt` is the committed record's time (when the code began): add the code's run.
    const ends = list.flatMap((r) =>
      r.finishedAt === null ? [] : [r.finishedAt + (r.durationMs ?? 0)],
    );
    const p = durations.length > 0 ? percentiles(durations) : null;
    out.set(step, {
      instances: list.length,
      p50Ms: p?.p50 ?? null,
      maxMs: p?.max ?? null,
      spanMs:
        starts.length > 0 && ends.length > 0
          ? Math.max(...ends, ...starts) - Math.min(...starts)
          : null,
      costUsd: list.reduce((sum, r) => sum + r.costUsd, 0),
    });
  }
  return out;
}

/**
 * Side-by-side per-step numbers of two runs (b minus a), in `order` (the graph's step order),
 * then any step only one of them ran.
 */
export function compareRuns(
  a: readonly InstanceRow[],
  b: readonly InstanceRow[],
  order: readonly string[] = [],
): StepComparison[] {
  const left = stepNumbers(a);
  const right = stepNumbers(b);
  const steps = [...new Set([...order, ...left.keys(), ...right.keys()])].filter(
    (s) => left.has(s) || right.has(s),
  );
  const delta = (x: number | null | undefined, y: number | null | undefined) =>
    x === null || x === undefined || y === null || y === undefined ? null : y - x;
  return steps.map((step) => {
    const l = left.get(step);
    const r = right.get(step);
    return {
      step,
      a: l,
      b: r,
      p50DeltaMs: delta(l?.p50Ms, r?.p50Ms),
      spanDeltaMs: delta(l?.spanMs, r?.spanMs),
      costDeltaUsd: delta(l?.costUsd, r?.costUsd),
    };
  });
}
