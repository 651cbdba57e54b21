/** Plans `sleepers` parallel sleeps of `sleepMs` each (Pheromone's parallel-sleep benchmark). */
export async function handler(input: unknown) {
  const { sleepers = 8, sleepMs = 10 } = input as { sleepers?: number; sleepMs?: number };
  if (!Number.isInteger(sleepers) || sleepers < 0 || sleepers > 10_000) {
    throw new Error('sleepers must be an integer from 0 to 10000');
  }
  if (!Number.isInteger(sleepMs) || sleepMs < 0 || sleepMs > 60_000) {
    throw new Error('sleepMs must be an integer from 0 to 60000');
  }
  return { sleepers: Array.from({ length: sleepers }, (_, i) => ({ i, ms: sleepMs })) };
}
