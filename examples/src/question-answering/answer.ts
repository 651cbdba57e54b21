/** Fan-in: merges the shards' best documents into one ranking and names the winning topic. */
export async function handler(input: unknown) {
  const shards = input as { top: { id: string; topic: string; score: number }[] }[];
  const ranked = shards
    .flatMap((s) => s.top)
    .sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1))
    .slice(0, 5);
  return { best: ranked[0] ?? null, ranking: ranked, topic: ranked[0]?.topic ?? null };
}
