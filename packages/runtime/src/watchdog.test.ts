import { describe, expect, it } from 'vitest';
import { type StallObservation, stallVerdict } from './watchdog';

const seen = (over: Partial<StallObservation>): StallObservation => ({
  now: 10_000,
  lastProgressAt: 0,
  lastRedriveAt: 0,
  idleRedrives: 0,
  ...over,
});

describe('stallVerdict', () => {
  const policy = { stallMs: 1_000, maxBackoff: 8, maxRedrives: 5 };

  it('waits until the silence since progress or the last redrive outlasts the patience', () => {
    expect(stallVerdict(policy, seen({ lastProgressAt: 9_500 }))).toBe('wait');
    expect(stallVerdict(policy, seen({ lastProgressAt: 8_000 }))).toBe('ask-queue');
    expect(stallVerdict(policy, seen({ lastProgressAt: 0, lastRedriveAt: 9_500 }))).toBe('wait');
    // A step still running with a 30 s timeout: its silence is not a stall.
    expect(stallVerdict(policy, seen({ lastProgressAt: 8_000, inFlightMs: 30_000 }))).toBe('wait');
  });

  it('doubles the patience per redrive without progress, up to maxBackoff', () => {
    const at = (idleRedrives: number, silentMs: number) =>
      stallVerdict(
        { ...policy, maxRedrives: 99, queuedGraceMs: 0 },
        seen({ now: 100_000, lastProgressAt: 0, lastRedriveAt: 100_000 - silentMs, idleRedrives }),
      );
    expect(at(1, 1_500)).toBe('wait');
    expect(at(1, 2_500)).toBe('redrive');
    expect(at(2, 3_500)).toBe('wait');
    expect(at(2, 4_500)).toBe('redrive');
    // 2^5 = 32, capped at 8 x stallMs.
    expect(at(5, 8_500)).toBe('redrive');
    expect(
      stallVerdict(
        { stallMs: 1_000, maxBackoff: 1 },
        seen({ lastProgressAt: 5_000, lastRedriveAt: 8_500, idleRedrives: 4 }),
      ),
    ).toBe('ask-queue');
  });

  it('asks the queue only within the grace after progress, and gives up after maxRedrives', () => {
    expect(stallVerdict(policy, seen({ lastProgressAt: 3_000 }))).toBe('ask-queue');
    expect(stallVerdict(policy, seen({ lastProgressAt: 1_000 }))).toBe('redrive');
    expect(stallVerdict(policy, seen({ now: 100_000, idleRedrives: 5 }))).toBe('give-up');
  });
});
