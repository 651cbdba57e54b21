import { describe, expect, it } from 'vitest';
import { createColdStarts } from './coldStarts';

describe('createColdStarts', () => {
  it('has no median before the first cold start', () => {
    expect(createColdStarts().median()).toBeUndefined();
  });

  it('takes the median of the last window of cold starts', () => {
    const starts = createColdStarts(4);
    for (const ms of [100, 900, 300]) starts.add(ms);
    expect(starts.median()).toBe(300);
    starts.add(500);
    expect(starts.median()).toBe(400);
    // 100 leaves the window: 900, 300, 500, 2000.
    starts.add(2000);
    expect(starts.count()).toBe(4);
    expect(starts.median()).toBe(700);
  });

  it('ignores samples that are not durations', () => {
    const starts = createColdStarts();
    starts.add(Number.NaN);
    starts.add(-5);
    expect(starts.count()).toBe(0);
  });
});
