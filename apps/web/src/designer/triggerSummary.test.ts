import { runnableTriggerKinds, triggerKinds } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import {
  offeredTriggerKinds,
  specForKind,
  TRIGGER_PALETTE_DESCRIPTION,
  triggerKindHelp,
} from './triggerKinds';
import { triggerSummary } from './triggerSummary';
import { triggerFieldProblems } from './triggerValidation';

describe('triggerSummary', () => {
  it('says what each kind waits for in one line', () => {
    expect(triggerSummary({ type: 'k-of-n', k: 3, n: 4 })).toBe('3 of 4');
    expect(triggerSummary({ type: 'batch', size: 100 })).toBe('batch of 100');
    expect(triggerSummary({ type: 'set', keys: ['a', 'b', 'c'] })).toBe('set of 3 keys');
    expect(triggerSummary({ type: 'set', keys: ['only'] })).toBe('set of 1 key');
    expect(triggerSummary({ type: 'by-name', key: 'error' })).toBe('by name: error');
    expect(triggerSummary({ type: 'immediate' })).toBe('each object');
    expect(triggerSummary({ type: 'group', prefix: 'group:' })).toBe('groups by group:');
    expect(triggerSummary({ type: 'window', windowMs: 1000 })).toBe('every 1 s');
    expect(triggerSummary({ type: 'window', windowMs: 250 })).toBe('every 250 ms');
  });
});

describe('trigger kinds offered', () => {
  it('are exactly the runnable kinds, and the palette names them', () => {
    expect([...offeredTriggerKinds]).toEqual([...runnableTriggerKinds]);
    expect(TRIGGER_PALETTE_DESCRIPTION).toContain('k of n');
    expect(TRIGGER_PALETTE_DESCRIPTION.includes('time window')).toBe(
      runnableTriggerKinds.includes('window'),
    );
    for (const kind of triggerKinds) expect(triggerKindHelp[kind].length).toBeGreaterThan(20);
    expect(triggerKindHelp.window.includes('Does not run yet')).toBe(
      !runnableTriggerKinds.includes('window'),
    );
  });

  it('switch to a valid spec of every offered kind, carrying counts over', () => {
    for (const kind of offeredTriggerKinds) {
      const spec = specForKind(kind, { type: 'batch', size: 4 });
      expect(spec.type).toBe(kind);
      expect(triggerFieldProblems(spec)).toEqual([]);
    }
    expect(specForKind('k-of-n', { type: 'batch', size: 4 })).toEqual({
      type: 'k-of-n',
      k: 3,
      n: 4,
    });
    expect(specForKind('batch', { type: 'k-of-n', k: 2, n: 5 })).toEqual({
      type: 'batch',
      size: 5,
    });
    const same = { type: 'set' as const, keys: ['x'] };
    expect(specForKind('set', same)).toBe(same);
  });
});

describe('triggerFieldProblems', () => {
  const fields = (spec: Parameters<typeof triggerFieldProblems>[0]) =>
    triggerFieldProblems(spec).map((p) => p.field);

  it('rejects k > n and k or n below 1, naming the rule', () => {
    const [problem] = triggerFieldProblems({ type: 'k-of-n', k: 5, n: 4 });
    expect(problem?.field).toBe('k');
    expect(problem?.message).toContain('k (5) is more than n (4)');
    expect(problem?.message).toContain('1 ≤ k ≤ n');
    expect(fields({ type: 'k-of-n', k: 0, n: 4 })).toEqual(['k']);
    expect(fields({ type: 'k-of-n', k: 1, n: 0 })).toEqual(['n']);
    expect(fields({ type: 'k-of-n', k: 65, n: 100 })).toEqual(['k']);
    expect(fields({ type: 'k-of-n', k: 4, n: 4 })).toEqual([]);
  });

  it('keeps batch sizes within 1..10000', () => {
    expect(fields({ type: 'batch', size: 0 })).toEqual(['size']);
    expect(fields({ type: 'batch', size: 10_001 })).toEqual(['size']);
    expect(fields({ type: 'batch', size: 1 })).toEqual([]);
    expect(fields({ type: 'batch', size: 10_000 })).toEqual([]);
  });

  it('wants a non-empty set without duplicates or empty keys', () => {
    expect(fields({ type: 'set', keys: [] })).toEqual(['keys']);
    const twice = triggerFieldProblems({ type: 'set', keys: ['a', 'b', 'a'] });
    expect(twice.map((p) => p.message)).toEqual(['The set lists "a" twice; list each key once.']);
    expect(fields({ type: 'set', keys: ['a', ''] })).toEqual(['keys']);
    expect(fields({ type: 'set', keys: ['a', 'b'] })).toEqual([]);
  });

  it('wants a by-name key and a group prefix', () => {
    expect(fields({ type: 'by-name', key: '' })).toEqual(['key']);
    expect(fields({ type: 'by-name', key: 'x'.repeat(129) })).toEqual(['key']);
    expect(fields({ type: 'by-name', key: 'error' })).toEqual([]);
    expect(fields({ type: 'group', prefix: '' })).toEqual(['prefix']);
    expect(fields({ type: 'group', prefix: 'group:' })).toEqual([]);
    expect(fields({ type: 'immediate' })).toEqual([]);
  });

  it('keeps windows within 1 ms..1 h, and says so when windows do not run', () => {
    const kind = runnableTriggerKinds.includes('window') ? [] : ['kind'];
    expect(fields({ type: 'window', windowMs: 1000 })).toEqual(kind);
    expect(fields({ type: 'window', windowMs: 0 })).toEqual([...kind, 'windowMs']);
    expect(fields({ type: 'window', windowMs: 3_600_001 })).toEqual([...kind, 'windowMs']);
  });
});
