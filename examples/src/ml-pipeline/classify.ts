/**
 * One replica of the classifier: the same model on every replica (redundant requests, as in
 * Pheromone's ML pipeline), so any replica's answer is as good as another's. The model is a
 * nearest-template classifier: the image's correlation with a template of each class, turned
 * into probabilities by a softmax.
 */
export async function handler(input: unknown) {
  const { replica, size, pixels, slowMs } = input as {
    replica: number;
    size: number;
    pixels: number[];
    slowMs: number;
  };
  if (slowMs > 0) {
    // This replica is the straggler (a cold or overloaded instance): it answers slowMs late,
    // which is what the 3-of-4 trigger hides — the vote fires on the first three answers.
    await new Promise((resolve) => setTimeout(resolve, slowMs));
  }
  const classes: Record<string, (u: number, v: number) => boolean> = {
    cross: (u, v) => Math.abs(u) < 0.2 || Math.abs(v) < 0.2,
    ring: (u, v) => Math.hypot(u, v) > 0.5 && Math.hypot(u, v) < 0.8,
    square: (u, v) => Math.max(Math.abs(u), Math.abs(v)) < 0.6,
    diagonal: (u, v) => Math.abs(u - v) < 0.25,
  };
  const centred = (values: number[]): number[] => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const spread = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0)) || 1;
    return values.map((x) => (x - mean) / spread);
  };
  const image = centred(pixels);
  const scores: Record<string, number> = {};
  for (const [label, ink] of Object.entries(classes)) {
    const template: number[] = [];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        template.push(ink((2 * x + 1) / size - 1, (2 * y + 1) / size - 1) ? 1 : 0);
      }
    }
    const t = centred(template);
    scores[label] = image.reduce((sum, p, i) => sum + p * (t[i] ?? 0), 0);
  }
  // Softmax with a temperature that makes a correlation of ~0.9 against ~0.1 a clear answer.
  const exps = Object.entries(scores).map(([label, s]) => [label, Math.exp(s * 8)] as const);
  const total = exps.reduce((sum, [, e]) => sum + e, 0);
  const probabilities: Record<string, number> = {};
  for (const [label, e] of exps) probabilities[label] = Math.round((e / total) * 1e6) / 1e6;
  return { replica, probabilities };
}
