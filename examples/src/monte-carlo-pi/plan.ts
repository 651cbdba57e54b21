/** Splits `samples` into `branches` shares that add up exactly; branch i will use seed i. */
export async function handler(input: unknown) {
  const { samples, branches } = input as { samples?: unknown; branches?: unknown };
  if (!Number.isInteger(samples) || !Number.isInteger(branches)) {
    throw new Error('input must be { samples: integer, branches: integer }');
  }
  const total = samples as number;
  const count = branches as number;
  if (total < 1 || count < 1 || count > 10_000) {
    throw new Error('samples must be >= 1 and branches between 1 and 10000');
  }
  const share = Math.floor(total / count);
  const extra = total % count;
  const tasks = Array.from({ length: count }, (_, index) => ({
    seed: index,
    samples: share + (index < extra ? 1 : 0),
  }));
  return { tasks };
}
