/** Sums the branches' counts: pi is about 4 * inside / samples. */
export async function handler(input: unknown) {
  const branches = input as { samples: number; inside: number }[];
  let samples = 0;
  let inside = 0;
  for (const branch of branches) {
    samples += branch.samples;
    inside += branch.inside;
  }
  return {
    pi: samples === 0 ? 0 : (4 * inside) / samples,
    inside,
    samples,
    branches: branches.length,
  };
}
