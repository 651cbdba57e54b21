/** Turns one frame's features into a compact descriptor and a per-frame label. */
export async function handler(input: unknown) {
  const f = input as {
    index: number;
    mean: number;
    histogram: number[];
    gradient: number;
    bright: number;
    centroid: { x: number; y: number } | null;
  };
  // Contrast from the histogram: mass in the brightest bin against the darkest three.
  const dark = (f.histogram[0] ?? 0) + (f.histogram[1] ?? 0) + (f.histogram[2] ?? 0);
  const contrast = (f.histogram[7] ?? 0) / Math.max(dark, 1e-9);
  const label = f.bright > 0.02 ? (f.gradient > 5 ? 'object' : 'glare') : 'empty';
  return {
    index: f.index,
    label,
    contrast: Math.round(contrast * 1000) / 1000,
    brightness: Math.round(f.mean * 100) / 100,
    centroid: f.centroid,
  };
}
