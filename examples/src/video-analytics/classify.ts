/** Fan-in: classifies the clip from the frames' labels and the object's motion. */
export async function handler(input: unknown) {
  const frames = input as {
    index: number;
    label: string;
    brightness: number;
    centroid: { x: number; y: number } | null;
  }[];
  const labels: Record<string, number> = {};
  for (const f of frames) labels[f.label] = (labels[f.label] ?? 0) + 1;
  const tracked = frames.filter((f) => f.label === 'object' && f.centroid !== null);
  let travel = 0;
  for (let i = 1; i < tracked.length; i++) {
    const a = tracked[i - 1]?.centroid;
    const b = tracked[i]?.centroid;
    if (a && b) travel += Math.hypot(b.x - a.x, b.y - a.y);
  }
  const first = frames[0]?.brightness ?? 0;
  const last = frames[frames.length - 1]?.brightness ?? 0;
  const scene = tracked.length === 0 ? 'empty' : travel > 0.25 ? 'moving-object' : 'static-object';
  return {
    scene,
    frames: frames.length,
    labels,
    travel: Math.round(travel * 1000) / 1000,
    brightening: Math.round((last - first) * 100) / 100,
  };
}
