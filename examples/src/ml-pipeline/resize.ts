/**
 * Pre-processing: draws the input picture (a shape with seeded noise, so the example needs no
 * image file), box-filters it down to `size` x `size` and normalizes it to [0, 1]. Fans the
 * small image out to the four replicas of the classifier (the vote trigger is 3 of 4).
 */
const REPLICAS = 4;

export async function handler(input: unknown) {
  const {
    shape = 'ring',
    width = 64,
    height = 64,
    seed = 1,
    size = 8,
    slowReplica = 3,
    slowMs = 1000,
  } = input as {
    shape?: string;
    width?: number;
    height?: number;
    seed?: number;
    size?: number;
    slowReplica?: number;
    slowMs?: number;
  };
  const shapes = ['cross', 'ring', 'square', 'diagonal'];
  if (!shapes.includes(shape)) throw new Error(`shape must be one of ${shapes.join(', ')}`);
  if (![width, height, size].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error('width, height and size must be positive integers');
  }
  if (size > width || size > height) throw new Error('size must not exceed width or height');
  // mulberry32: a small seeded PRNG, so the noise (and the result) is the same on every run.
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ink = (u: number, v: number): boolean => {
    // u, v in [-1, 1], the picture's centre at 0.
    const r = Math.hypot(u, v);
    if (shape === 'cross') return Math.abs(u) < 0.2 || Math.abs(v) < 0.2;
    if (shape === 'ring') return r > 0.5 && r < 0.8;
    if (shape === 'square') return Math.max(Math.abs(u), Math.abs(v)) < 0.6;
    return Math.abs(u - v) < 0.25;
  };
  const full: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (2 * x + 1) / width - 1;
      const v = (2 * y + 1) / height - 1;
      full.push((ink(u, v) ? 220 : 30) + Math.round((random() - 0.5) * 60));
    }
  }
  // Box filter: each output pixel is the mean of the input pixels it covers.
  const pixels: number[] = [];
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      const x0 = Math.floor((ox * width) / size);
      const x1 = Math.floor(((ox + 1) * width) / size);
      const y0 = Math.floor((oy * height) / size);
      const y1 = Math.floor(((oy + 1) * height) / size);
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += full[y * width + x] ?? 0;
      const mean = sum / ((x1 - x0) * (y1 - y0));
      pixels.push(Math.round((Math.min(255, Math.max(0, mean)) / 255) * 1000) / 1000);
    }
  }
  return {
    size,
    replicas: Array.from({ length: REPLICAS }, (_, replica) => ({
      replica,
      size,
      pixels,
      slowMs: replica === slowReplica ? slowMs : 0,
    })),
  };
}
