/** One batch of up to 100 sleepers (the batch trigger's run): counts them and their sleep. */
export async function handler(input: unknown) {
  const batch = input as { key: string; value: { i: number; ms: number } }[];
  let sleptMs = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const { value } of batch) {
    sleptMs += value.ms;
    first = Math.min(first, value.i);
    last = Math.max(last, value.i);
  }
  return { sleepers: batch.length, sleptMs, first, last };
}
