import { describe, expect, it } from 'vitest';
import { preview, previewRef, topLevelNumbers } from './traceEvents';

describe('trace previews', () => {
  it('passes a small value through unchanged', () => {
    expect(preview({ accuracy: 0.5, round: 1 })).toEqual({ accuracy: 0.5, round: 1 });
    expect(preview(undefined)).toBeNull();
  });

  it('keeps the top-level numbers of a large object it truncates', () => {
    const value = {
      weights: Array.from({ length: 400 }, (_, i) => i / 7),
      accuracy: 0.6467,
      round: 3,
      name: 'x',
    };
    const shown = preview(value) as Record<string, unknown>;
    expect(shown.truncated).toBe(true);
    expect(typeof shown.head).toBe('string');
    expect(shown.numbers).toEqual({ accuracy: 0.6467, round: 3 });
  });

  it('keeps no numbers for a large array or an object without numbers', () => {
    const array = preview(Array.from({ length: 400 }, (_, i) => i)) as Record<string, unknown>;
    expect(array.truncated).toBe(true);
    expect(array.numbers).toBeUndefined();
    expect(topLevelNumbers({ a: 'x', b: Number.NaN, c: Number.POSITIVE_INFINITY })).toBeUndefined();
  });

  it('stops at 32 numbers', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(topLevelNumbers(many) ?? {})).toHaveLength(32);
  });

  it('gives a blob pointer the numbers of the value when the committing copy has it', () => {
    const ref = { blob: 'sha256-abc', cloud: 'aws-local', bytes: 200_000 };
    expect(previewRef(ref, undefined, { accuracy: 0.7, model: [1, 2] })).toEqual({
      ...ref,
      numbers: { accuracy: 0.7 },
    });
    expect(previewRef(ref)).toEqual(ref);
  });
});
