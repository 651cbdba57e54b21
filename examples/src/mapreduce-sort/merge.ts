/**
 * Concatenates the reducers' sorted ranges in range order: the ranges do not overlap, so the
 * concatenation is the whole input sorted.
 */
export async function handler(input: unknown) {
  const ranges = (input as { range: number; count: number; sorted: number[] }[])
    .slice()
    .sort((a, b) => a.range - b.range);
  const sorted = ranges.flatMap((r) => r.sorted);
  return {
    count: sorted.length,
    reducers: ranges.map((r) => ({ range: r.range, count: r.count })),
    sorted,
  };
}
