/** Throws `samples` darts at the unit square with a PRNG seeded by the branch index. */
export async function handler(input: unknown) {
  const { seed, samples } = input as { seed: number; samples: number };
  // mulberry32: a small, well-distributed 32-bit PRNG; the same seed gives the same darts.
  let state = (seed * 0x9e3779b9 + 0x6d2b79f5) >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  let inside = 0;
  for (let i = 0; i < samples; i++) {
    const x = random();
    const y = random();
    if (x * x + y * y <= 1) inside++;
  }
  return { seed, samples, inside };
}
