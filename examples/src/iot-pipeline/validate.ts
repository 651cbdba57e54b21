/** Drops readings outside the sensors' physical range (-40..60 C) and counts them. */
export async function handler(input: unknown) {
  const { batch, readings } = input as {
    batch: number;
    readings: { s: number; t: number; v: number }[];
  };
  const valid = readings.filter((r) => r.v >= -40 && r.v <= 60);
  return { batch, readings: valid, rejected: readings.length - valid.length };
}
