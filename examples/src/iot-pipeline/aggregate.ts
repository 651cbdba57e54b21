/** Per-sensor count, min, max and mean. */
export async function handler(input: unknown) {
  const { batch, rejected, readings } = input as {
    batch: number;
    rejected: number;
    readings: { s: number; v: number }[];
  };
  const bySensor = new Map<number, { count: number; min: number; max: number; sum: number }>();
  for (const r of readings) {
    const acc = bySensor.get(r.s) ?? { count: 0, min: Infinity, max: -Infinity, sum: 0 };
    acc.count++;
    acc.min = Math.min(acc.min, r.v);
    acc.max = Math.max(acc.max, r.v);
    acc.sum += r.v;
    bySensor.set(r.s, acc);
  }
  const sensors = [...bySensor.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([sensor, a]) => ({
      sensor,
      count: a.count,
      min: a.min,
      max: a.max,
      mean: Math.round((a.sum / a.count) * 100) / 100,
    }));
  return { batch, rejected, sensors };
}
