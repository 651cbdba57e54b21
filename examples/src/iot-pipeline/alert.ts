/** Raises an alert for every sensor whose mean or peak is over its threshold. */
export async function handler(input: unknown) {
  const { batch, rejected, sensors } = input as {
    batch: number;
    rejected: number;
    sensors: { sensor: number; mean: number; max: number }[];
  };
  const alerts = sensors
    .filter((s) => s.mean > 22 || s.max > 27)
    .map((s) => ({
      sensor: s.sensor,
      reason: s.mean > 22 ? 'mean above 22 C' : 'peak above 27 C',
    }));
  return { batch, rejected, sensors: sensors.length, alerts };
}
