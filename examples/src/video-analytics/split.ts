/**
 * Generates a synthetic clip and splits it into frames: a bright square moving across a noisy,
 * slowly brightening background. Pixels are 0..255, row-major.
 */
export async function handler(input: unknown) {
  const { frames, width, height, seed } = input as {
    frames: number;
    width: number;
    height: number;
    seed: number;
  };
  let state = seed >>> 0 || 1;
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const side = Math.max(2, Math.floor(Math.min(width, height) / 4));
  const out: { index: number; width: number; height: number; pixels: number[] }[] = [];
  for (let index = 0; index < frames; index++) {
    const left = Math.floor(((width - side) * index) / Math.max(1, frames - 1));
    const top = Math.floor((height - side) / 2);
    const pixels: number[] = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inSquare = x >= left && x < left + side && y >= top && y < top + side;
        const background = 30 + index * 2 + Math.floor(random() * 20);
        pixels.push(inSquare ? 230 : background);
      }
    }
    out.push({ index, width, height, pixels });
  }
  return { frames: out };
}
