/**
 * The federated data set, generated from a seed so every data owner "holds" its shard without
 * anything moving: Gaussian class clusters in `dims` dimensions, label skew per owner drawn from
 * a Dirichlet distribution. Inlined by examples/build.ts into the steps that import it; it must
 * import nothing itself.
 */

/** What defines the data set and the training; the workflow input, checked by `setup`. */
export interface FlConfig {
  seed: number;
  classes: number;
  dims: number;
  /** Data centers; the graphs have three. */
  centers: number;
  ownersPerCenter: number;
  samplesPerOwner: number;
  /** Dirichlet concentration of each owner's label mix: small = strong skew (non-IID). */
  dirichletAlpha: number;
  /** Distance scale between class means; smaller is harder. */
  separation: number;
  testSamples: number;
  validationSamples: number;
  rounds: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** NebulaFL: owners trained per data center and round (FedAvg trains every owner). */
  ownersPerRound: number;
  /** NebulaFL: base mixing weight of an asynchronous update (scaled down by its version lag). */
  mixing: number;
}

/** A 32-bit hash of two integers (murmur3's finalizer), used to split the seed into streams. */
export function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32 over a stream of the seed: the same (seed, stream) gives the same numbers. */
export function seededRandom(seed: number, stream: number): () => number {
  let state = mixSeed(seed, stream);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A standard normal sample (Box-Muller; one of the pair is dropped to keep the stream simple). */
export function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A Gamma(shape, 1) sample (Marsaglia-Tsang; shape < 1 through the u^(1/shape) boost). */
export function gammaSample(shape: number, random: () => number): number {
  if (shape < 1) return gammaSample(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = gaussian(random);
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

// Streams of the seed; owners use OWNER_STREAM + owner, centers VALIDATION_STREAM + center.
const MEANS_STREAM = 1;
const TEST_STREAM = 2;
const PROFILE_STREAM = 3;
const VALIDATION_STREAM = 1_000;
const OWNER_STREAM = 100_000;

/** Labelled samples: row i is x[i*dims .. (i+1)*dims), its class y[i]. */
export interface Samples {
  x: Float64Array;
  y: Int32Array;
  count: number;
}

/** The class means, `classes` x `dims`, each coordinate N(0, separation^2). */
export function classMeans(config: FlConfig): Float64Array {
  const random = seededRandom(config.seed, MEANS_STREAM);
  const means = new Float64Array(config.classes * config.dims);
  for (let i = 0; i < means.length; i++) means[i] = config.separation * gaussian(random);
  return means;
}

/** `counts[c]` samples of each class c, each its class mean plus N(0, 1) noise per dimension. */
function sampleClasses(config: FlConfig, counts: number[], stream: number): Samples {
  const means = classMeans(config);
  const random = seededRandom(config.seed, stream);
  const count = counts.reduce((sum, n) => sum + n, 0);
  const x = new Float64Array(count * config.dims);
  const y = new Int32Array(count);
  let row = 0;
  for (let c = 0; c < counts.length; c++) {
    for (let k = 0; k < (counts[c] ?? 0); k++) {
      y[row] = c;
      for (let d = 0; d < config.dims; d++) {
        x[row * config.dims + d] = (means[c * config.dims + d] ?? 0) + gaussian(random);
      }
      row++;
    }
  }
  return { x, y, count };
}

/** Splits `total` by `shares` with the largest-remainder rule so the parts add up exactly. */
export function apportion(total: number, shares: number[]): number[] {
  const sum = shares.reduce((s, v) => s + v, 0);
  const exact = shares.map((s) => (sum > 0 ? (s / sum) * total : total / shares.length));
  const parts = exact.map(Math.floor);
  const order = exact
    .map((e, i) => ({ i, rest: e - Math.floor(e) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  let left = total - parts.reduce((s, v) => s + v, 0);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    left--;
  }
  return parts;
}

/** Owner `owner`'s label mix: a Dirichlet(alpha, ..., alpha) draw from the owner's stream. */
export function labelMix(config: FlConfig, owner: number): number[] {
  const random = seededRandom(config.seed, OWNER_STREAM + 2 * owner);
  return Array.from({ length: config.classes }, () => gammaSample(config.dirichletAlpha, random));
}

/** The data owner `owner` holds (owners are numbered across centers: center * ownersPerCenter + i). */
export function ownerShard(config: FlConfig, owner: number): Samples {
  const counts = apportion(config.samplesPerOwner, labelMix(config, owner));
  return sampleClasses(config, counts, OWNER_STREAM + 2 * owner + 1);
}

/** The held-out test set: balanced over the classes. */
export function testSet(config: FlConfig): Samples {
  const counts = apportion(config.testSamples, new Array(config.classes).fill(1));
  return sampleClasses(config, counts, TEST_STREAM);
}

/** A data center's own small validation set (balanced), which its merge uses to reward owners. */
export function validationSet(config: FlConfig, center: number): Samples {
  const counts = apportion(config.validationSamples, new Array(config.classes).fill(1));
  return sampleClasses(config, counts, VALIDATION_STREAM + center);
}

/** How fast an owner trains (samples per simulated ms) and what its compute costs (per ms). */
export interface OwnerProfile {
  owner: number;
  center: number;
  speed: number;
  price: number;
}

/** Owners differ in hardware: speed 0.5-2 samples/ms, price 0.5-1.5 units/ms, from the seed. */
export function ownerProfiles(config: FlConfig): OwnerProfile[] {
  const random = seededRandom(config.seed, PROFILE_STREAM);
  const owners: OwnerProfile[] = [];
  for (let owner = 0; owner < config.centers * config.ownersPerCenter; owner++) {
    owners.push({
      owner,
      center: Math.floor(owner / config.ownersPerCenter),
      speed: 0.5 + 1.5 * random(),
      price: 0.5 + random(),
    });
  }
  return owners;
}
