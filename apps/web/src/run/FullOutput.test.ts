import { describe, expect, it } from 'vitest';
import { partialOutputBytes } from './FullOutput';

describe('partialOutputBytes', () => {
  it('finds the size of a truncated preview or a blob pointer, nothing for whole values', () => {
    expect(partialOutputBytes({ truncated: true, bytes: 90_000, head: '{"a":' })).toBe(90_000);
    expect(partialOutputBytes({ blob: 'ab12', cloud: 'aws-local', bytes: 3_000_000 })).toBe(
      3_000_000,
    );
    expect(partialOutputBytes({ blob: 'ab12', bytes: 3 })).toBeUndefined();
    expect(partialOutputBytes({ bytes: 3 })).toBeUndefined();
    expect(partialOutputBytes({ value: 1 })).toBeUndefined();
    expect(partialOutputBytes(null)).toBeUndefined();
    expect(partialOutputBytes(42)).toBeUndefined();
  });
});
