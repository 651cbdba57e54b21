import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InstanceKeyError,
  instanceKey,
  parseInstanceKey,
  type ScopeEntry,
  scopeKey,
} from './instanceKey';

/** What a key keeps of a scope: map counts are not part of it. */
function keyed(scope: ScopeEntry[]): ScopeEntry[] {
  return scope.map((e) => (e.kind === 'map' ? { ...e, count: -1 } : e));
}

describe('instance keys', () => {
  it('keeps a map inside a loop apart from a loop inside a map', () => {
    const mapInLoop: ScopeEntry[] = [
      { kind: 'loop', name: 'refine', index: 4 },
      { kind: 'map', name: 'resize', index: 2, count: 8 },
    ];
    const loopInMap: ScopeEntry[] = [
      { kind: 'map', name: 'resize', index: 2, count: 8 },
      { kind: 'loop', name: 'refine', index: 4 },
    ];
    const a = instanceKey('score', mapInLoop);
    const b = instanceKey('score', loopInMap);
    expect(a).toBe('score/loop:refine=4/map:resize=2');
    expect(b).toBe('score/map:resize=2/loop:refine=4');
    expect(a).not.toBe(b);
    expect(parseInstanceKey(a)).toEqual({ node: 'score', scope: keyed(mapInLoop) });
    expect(parseInstanceKey(b)).toEqual({ node: 'score', scope: keyed(loopInMap) });
  });

  it('keeps swapped indexes and same-named scopes of different kinds apart', () => {
    const keys = new Set([
      instanceKey('n', [
        { kind: 'map', name: 'a', index: 1, count: 3 },
        { kind: 'map', name: 'b', index: 2, count: 3 },
      ]),
      instanceKey('n', [
        { kind: 'map', name: 'a', index: 2, count: 3 },
        { kind: 'map', name: 'b', index: 1, count: 3 },
      ]),
      instanceKey('n', [{ kind: 'map', name: 'a', index: 12, count: 20 }]),
      instanceKey('n', [
        { kind: 'map', name: 'a', index: 1, count: 20 },
        { kind: 'loop', name: 'a', index: 2 },
      ]),
      instanceKey('n', [{ kind: 'loop', name: 'a', index: 12 }]),
    ]);
    expect(keys.size).toBe(5);
  });

  it('builds the scope prefix a join record hangs off', () => {
    expect(scopeKey([])).toBe('');
    expect(
      scopeKey([
        { kind: 'loop', name: 'l', index: 0 },
        { kind: 'map', name: 'm', index: 3, count: 4 },
      ]),
    ).toBe('loop:l=0/map:m=3');
  });

  it('rejects keys it cannot have built', () => {
    for (const key of [
      '',
      '1abc',
      'n/map:m',
      'n/map:m=01',
      'n/map:m=-1',
      'n/zip:m=1',
      'n//map:m=1',
      'n/map:m=1/',
    ]) {
      expect(() => parseInstanceKey(key)).toThrow(InstanceKeyError);
    }
  });

  it('round-trips any scope stack (property)', () => {
    const name = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/);
    const entry: fc.Arbitrary<ScopeEntry> = fc.oneof(
      fc.record({
        kind: fc.constant('map' as const),
        name,
        index: fc.nat(100_000),
        count: fc.integer({ min: 1, max: 100_000 }),
      }),
      fc.record({ kind: fc.constant('loop' as const), name, index: fc.nat(100_000) }),
    );
    fc.assert(
      fc.property(name, fc.array(entry, { maxLength: 6 }), (node, scope) => {
        const parsed = parseInstanceKey(instanceKey(node, scope));
        expect(parsed).toEqual({ node, scope: keyed(scope) });
        expect(instanceKey(parsed.node, parsed.scope)).toBe(instanceKey(node, scope));
      }),
      { numRuns: 300 },
    );
  });
});
