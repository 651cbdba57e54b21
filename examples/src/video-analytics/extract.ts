/** Per-frame features: mean brightness, an 8-bin histogram, gradient energy, bright centroid. */
export async function handler(input: unknown) {
  const { index, width, height, pixels } = input as {
    index: number;
    width: number;
    height: number;
    pixels: number[];
  };
  const at = (x: number, y: number): number => pixels[y * width + x] ?? 0;
  const histogram = new Array<number>(8).fill(0);
  let sum = 0;
  let brightCount = 0;
  let brightX = 0;
  let brightY = 0;
  let gradient = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = at(x, y);
      sum += v;
      const bin = Math.min(7, Math.floor(v / 32));
      histogram[bin] = (histogram[bin] ?? 0) + 1;
      if (v > 200) {
        brightCount++;
        brightX += x;
        brightY += y;
      }
      if (x > 0 && y > 0) {
        const gx = v - at(x - 1, y);
        const gy = v - at(x, y - 1);
        gradient += Math.sqrt(gx * gx + gy * gy);
      }
    }
  }
  const n = width * height;
  return {
    index,
    mean: sum / n,
    histogram: histogram.map((h) => h / n),
    gradient: gradient / n,
    bright: brightCount / n,
    centroid:
      brightCount === 0
        ? null
        : { x: brightX / brightCount / width, y: brightY / brightCount / height },
  };
}
