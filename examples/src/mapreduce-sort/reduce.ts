/** Reduce phase: one key range's records from every mapper, sorted. */
export async function handler(input: unknown) {
  const { group, values } = input as { group: string; values: number[][] };
  const sorted = values.flat().sort((a, b) => a - b);
  return { range: Number(group), count: sorted.length, sorted };
}
