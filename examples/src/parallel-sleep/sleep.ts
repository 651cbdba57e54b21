/** One sleeper: waits, then reports which one it was and how long it slept. */
export async function handler(input: unknown) {
  const { i, ms } = input as { i: number; ms: number };
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { i, ms };
}
