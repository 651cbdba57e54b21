/**
 * Nearest-rank percentiles of a list of numbers (the list is sorted in place).
 *
 * @example
 * percentiles([30, 10, 20]); // { p50: 20, p90: 30, p99: 30, max: 30 }
 */
export function percentiles(values: number[]): {
  p50: number;
  p90: number;
  p99: number;
  max: number;
} {
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.max(0, Math.ceil(q * values.length) - 1)] ?? 0;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: values[values.length - 1] ?? 0 };
}
