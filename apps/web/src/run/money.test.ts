import { percentiles } from '@jointflow/runtime/summary';
import { describe, expect, it } from 'vitest';
import { formatMs } from './duration';
import { formatUsd, formatUsdDelta } from './money';

describe('formatUsd', () => {
  it('shows small amounts as money with two significant digits, never exponents', () => {
    expect(formatUsd(3.92e-5)).toBe('$0.000039');
    expect(formatUsd(1.6194164675e-5)).toBe('$0.000016');
    expect(formatUsd(0.5)).toBe('$0.50');
    expect(formatUsd(0.016)).toBe('$0.016');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsdDelta(-3e-6)).toBe('-$0.0000030');
    expect(formatUsdDelta(1.2e-5)).toBe('+$0.000012');
    for (const v of [1e-9, 3.3e-7, 0.00042]) expect(formatUsd(v)).not.toMatch(/e/);
  });
});

describe('formatMs and percentiles', () => {
  it('reads like a person would say it', () => {
    expect(formatMs(740.4)).toBe('740 ms');
    expect(formatMs(2258)).toBe('2.26 s');
    expect(formatMs(65_000)).toBe('1 min 5 s');
    expect(percentiles([5, 1, 4, 2, 3, 10, 9, 8, 7, 6])).toEqual({
      p50: 5,
      p90: 9,
      p99: 10,
      max: 10,
    });
  });
});
