/** Reduce phase: merges the chunk counts and ranks the words (ties alphabetically). */
export async function handler(input: unknown) {
  const partials = input as { counts: Record<string, number> }[];
  const totals = new Map<string, number>();
  for (const partial of partials) {
    for (const [word, n] of Object.entries(partial.counts))
      totals.set(word, (totals.get(word) ?? 0) + n);
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  let words = 0;
  for (const [, n] of ranked) words += n;
  return {
    words,
    distinct: ranked.length,
    top: ranked.slice(0, 10).map(([word, count]) => ({ word, count })),
  };
}
