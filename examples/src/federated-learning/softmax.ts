/**
 * Softmax regression (multinomial logistic regression) on typed arrays: the model every step
 * trains, merges and evaluates. Weights are `classes` rows of `dims + 1` numbers (the last is
 * the bias). Inlined by examples/build.ts into the steps that import it; it imports nothing.
 */

/** A model as it travels between steps: plain numbers so it is JSON, and its version. */
export interface Model {
  weights: number[];
  version: number;
}

/** Class scores of row `row` of `x` turned into probabilities in `out`. */
function probabilities(
  w: Float64Array,
  x: Float64Array,
  row: number,
  dims: number,
  classes: number,
  out: Float64Array,
): void {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) {
    let z = w[c * (dims + 1) + dims] ?? 0;
    for (let d = 0; d < dims; d++) z += (w[c * (dims + 1) + d] ?? 0) * (x[row * dims + d] ?? 0);
    out[c] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const e = Math.exp((out[c] ?? 0) - max);
    out[c] = e;
    sum += e;
  }
  for (let c = 0; c < classes; c++) out[c] = (out[c] ?? 0) / sum;
}

/**
 * Mini-batch SGD on the cross-entropy for `epochs` passes over the samples, visiting them in
 * an order shuffled by `random`; returns the new weights and the last epoch's mean loss.
 */
export function trainSoftmax(
  weights: number[],
  x: Float64Array,
  y: Int32Array,
  count: number,
  shape: { dims: number; classes: number },
  options: { epochs: number; learningRate: number; batchSize: number; random: () => number },
): { weights: number[]; loss: number } {
  const { dims, classes } = shape;
  const w = Float64Array.from(weights);
  const grad = new Float64Array(w.length);
  const p = new Float64Array(classes);
  const order = Array.from({ length: count }, (_, i) => i);
  let loss = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(options.random() * (i + 1));
      const t = order[i] ?? 0;
      order[i] = order[j] ?? 0;
      order[j] = t;
    }
    loss = 0;
    for (let start = 0; start < count; start += options.batchSize) {
      const end = Math.min(count, start + options.batchSize);
      grad.fill(0);
      for (let k = start; k < end; k++) {
        const row = order[k] ?? 0;
        const label = y[row] ?? 0;
        probabilities(w, x, row, dims, classes, p);
        loss -= Math.log(Math.max(p[label] ?? 0, 1e-12));
        for (let c = 0; c < classes; c++) {
          const g = (p[c] ?? 0) - (c === label ? 1 : 0);
          const base = c * (dims + 1);
          for (let d = 0; d < dims; d++) {
            grad[base + d] = (grad[base + d] ?? 0) + g * (x[row * dims + d] ?? 0);
          }
          grad[base + dims] = (grad[base + dims] ?? 0) + g;
        }
      }
      const step = options.learningRate / (end - start);
      for (let i = 0; i < w.length; i++) w[i] = (w[i] ?? 0) - step * (grad[i] ?? 0);
    }
    loss /= Math.max(count, 1);
  }
  return { weights: Array.from(w), loss };
}

/** The share of rows whose highest-probability class is their label. */
export function accuracyOf(
  weights: number[],
  x: Float64Array,
  y: Int32Array,
  count: number,
  shape: { dims: number; classes: number },
): number {
  const w = Float64Array.from(weights);
  const p = new Float64Array(shape.classes);
  let right = 0;
  for (let row = 0; row < count; row++) {
    probabilities(w, x, row, shape.dims, shape.classes, p);
    let best = 0;
    for (let c = 1; c < shape.classes; c++) if ((p[c] ?? 0) > (p[best] ?? 0)) best = c;
    if (best === y[row]) right++;
  }
  return count === 0 ? 0 : right / count;
}

/** A short digest of the weights' exact values (FNV-1a over their JSON): equal models, equal digests. */
export function modelDigest(weights: number[]): string {
  const text = JSON.stringify(weights);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
