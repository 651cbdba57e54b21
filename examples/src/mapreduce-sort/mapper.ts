/**
 * Map phase: routes every number of the chunk to the reducer of its key range by emitting one
 * object per range, keyed `group:<range>` — the dynamic group trigger's shuffle.
 */
export async function handler(input: unknown, ctx: { emit(key: string, value: unknown): void }) {
  const { chunk, numbers, cuts } = input as { chunk: number; numbers: number[]; cuts: number[] };
  const byRange = new Map<number, number[]>();
  for (const n of numbers) {
    // The first cut above n names its range (binary search over the sorted cut points).
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (n < (cuts[mid] ?? Number.POSITIVE_INFINITY)) hi = mid;
      else lo = mid + 1;
    }
    const list = byRange.get(lo) ?? [];
    list.push(n);
    byRange.set(lo, list);
  }
  for (const [range, list] of byRange) ctx.emit(`group:${range}`, list);
  return { chunk, records: numbers.length, ranges: [...byRange.keys()].sort((a, b) => a - b) };
}
