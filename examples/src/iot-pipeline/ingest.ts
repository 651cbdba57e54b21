/** Produces one batch of sensor readings (about 1 KB) from a seeded generator. */
export async function handler(input: unknown) {
  const { seed, sensors, readingsPerSensor } = input as {
    seed: number;
    sensors: number;
    readingsPerSensor: number;
  };
  let state = seed >>> 0 || 1;
  const random = (): number => {
    // xorshift32: deterministic, good enough for synthetic sensor noise.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const readings: { s: number; t: number; v: number }[] = [];
  for (let t = 0; t < readingsPerSensor; t++) {
    for (let s = 0; s < sensors; s++) {
      // A daily-cycle temperature around 20 C per sensor; now and then a broken sensor spikes.
      const base = 20 + s + 5 * Math.sin((t / readingsPerSensor) * 2 * Math.PI);
      const spike = random() < 0.05 ? 80 : 0;
      readings.push({ s, t, v: Math.round((base + (random() - 0.5) * 2 + spike) * 10) / 10 });
    }
  }
  return { batch: seed, readings };
}
