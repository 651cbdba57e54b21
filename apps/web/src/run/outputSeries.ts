import { parseInstanceKey } from '@jointflow/ir';
import { compareHlc } from '@jointflow/runtime/summary';
import type { InstanceState } from './runTrace';

/** One plotted value: the instance it came from, where it sits in the sequence, the number. */
export interface SeriesPoint {
  instance: string;
  /** The instance's scope, short (`rotate 2`, `owners 1 · rotate 0`), or the key. */
  label: string;
  value: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The top-level finite numbers of a step's output as the trace shows it: the output itself
 * when it was small enough to travel whole, else the `numbers` the runtime keeps in the
 * preview of a large (truncated or blob-stored) output.
 *
 * @example
 * outputNumbers({ accuracy: 0.6, round: 2, model: {} }); // { accuracy: 0.6, round: 2 }
 * outputNumbers({ truncated: true, bytes: 9000, head: '…', numbers: { accuracy: 0.6 } }); // { accuracy: 0.6 }
 */
export function outputNumbers(output: unknown): Record<string, number> {
  if (!isRecord(output)) return {};
  const preview = output.truncated === true || typeof output.blob === 'string';
  const source = preview ? output.numbers : output;
  const numbers: Record<string, number> = {};
  if (!isRecord(source)) return numbers;
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'number' && Number.isFinite(value)) numbers[key] = value;
  }
  return numbers;
}

/**
 * The numeric fields a step's outputs offer to plot, most common first (then by name): a field
 * present in more of the succeeded instances is more likely the one that describes every run.
 */
export function numericFields(instances: readonly InstanceState[]): string[] {
  const counts = new Map<string, number>();
  for (const state of instances) {
    if (state.status !== 'succeeded') continue;
    for (const key of Object.keys(outputNumbers(state.output))) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([key]) => key);
}

/** The scope indexes of an instance key, outermost first, and a short label; null if unparsable. */
function scopeOf(instance: string): { indexes: number[]; label: string } | null {
  try {
    const { scope } = parseInstanceKey(instance);
    return {
      indexes: scope.map((entry) => entry.index),
      label: scope.map((entry) => `${entry.name} ${entry.index}`).join(' · '),
    };
  } catch {
    return null;
  }
}

function compareIndexes(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The values of `field` over a step's succeeded instances, in sequence: by the instance keys'
 * scope indexes (a loop's iteration, a map's index; outermost scope first), then by start
 * time. Instances without the field (or not finished yet) are left out, so the series grows
 * as a run progresses.
 *
 * @example
 * // evaluate/loop:rotate=0 → 0.41, evaluate/loop:rotate=1 → 0.58
 * outputSeries(instancesOfEvaluate, 'accuracy'); // [{ label: 'rotate 0', value: 0.41 }, …]
 */
export function outputSeries(instances: readonly InstanceState[], field: string): SeriesPoint[] {
  const rows: { point: SeriesPoint; indexes: number[]; startHlc?: string; startedAt: number }[] =
    [];
  for (const state of instances) {
    if (state.status !== 'succeeded') continue;
    const value = outputNumbers(state.output)[field];
    if (value === undefined) continue;
    const scope = scopeOf(state.instance);
    rows.push({
      point: { instance: state.instance, label: scope?.label || state.instance, value },
      indexes: scope?.indexes ?? [],
      ...(state.startHlc !== undefined ? { startHlc: state.startHlc } : {}),
      startedAt: state.startedAt ?? state.computeAt ?? 0,
    });
  }
  rows.sort(
    (a, b) =>
      compareIndexes(a.indexes, b.indexes) ||
      compareHlc(a.startHlc, b.startHlc) ||
      a.startedAt - b.startedAt,
  );
  return rows.map((row) => row.point);
}
