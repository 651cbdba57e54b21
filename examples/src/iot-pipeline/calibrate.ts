/** Applies each sensor's calibration offset (sensor s reads s * 0.1 C too high). */
export async function handler(input: unknown) {
  const data = input as {
    batch: number;
    rejected: number;
    readings: { s: number; t: number; v: number }[];
  };
  const readings = data.readings.map((r) => ({
    ...r,
    v: Math.round((r.v - r.s * 0.1) * 100) / 100,
  }));
  return { ...data, readings };
}
