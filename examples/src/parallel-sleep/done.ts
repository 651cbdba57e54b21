/** Joins the batches: every sleeper must be counted once, in batches covering 0..n-1 in order. */
export async function handler(input: unknown) {
  const batches = input as { sleepers: number; sleptMs: number; first: number; last: number }[];
  let sleepers = 0;
  let sleptMs = 0;
  let contiguous = true;
  for (const b of batches) {
    if (b.first !== sleepers || b.last !== sleepers + b.sleepers - 1) contiguous = false;
    sleepers += b.sleepers;
    sleptMs += b.sleptMs;
  }
  return { sleepers, batches: batches.length, sleptMs, contiguous };
}
