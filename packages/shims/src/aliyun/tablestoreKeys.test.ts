import { describe, expect, it } from 'vitest';
import {
  joinStoreKey,
  prefixRange,
  slotColumn,
  slotOfColumn,
  splitStoreKey,
} from './tablestoreKeys';

describe('Tablestore key layout', () => {
  it('splits at the first / or # and keeps the separator in sk', () => {
    expect(splitStoreKey('e1/score/map:m=2#ckpt')).toEqual({ pk: 'e1', sk: '/score/map:m=2#ckpt' });
    expect(splitStoreKey('e1#closed')).toEqual({ pk: 'e1', sk: '#closed' });
    expect(splitStoreKey('e1/#result')).toEqual({ pk: 'e1', sk: '/#result' });
    expect(splitStoreKey('plain')).toEqual({ pk: 'plain', sk: '!' });
  });

  it('keeps keys that differ only in their separator apart', () => {
    expect(splitStoreKey('e1/closed')).not.toEqual(splitStoreKey('e1#closed'));
  });

  it('round-trips every key', () => {
    for (const key of ['e1/a#ckpt', 'e1#closed', 'x', 'e1/join:j/map:m=1', 'e1/']) {
      expect(joinStoreKey(splitStoreKey(key))).toBe(key);
    }
  });

  it('turns a prefix into one partition and an sk range that holds exactly its keys', () => {
    const range = prefixRange('e1/');
    expect(range).toEqual({ pk: 'e1', start: '/', end: '0' });
    const inside = ['e1/a#ckpt', 'e1/#result', 'e1/zzz'];
    const outside = ['e1#closed', 'e10/a#ckpt', 'e2/a'];
    const contains = (key: string) => {
      const { pk, sk } = splitStoreKey(key);
      return pk === range.pk && sk >= range.start && sk < range.end;
    };
    expect(inside.every(contains)).toBe(true);
    expect(outside.some(contains)).toBe(false);
    expect(prefixRange('e1#once:')).toEqual({ pk: 'e1', start: '#once:', end: '#once;' });
  });

  it('refuses a prefix that is not inside one execution', () => {
    expect(() => prefixRange('e1')).toThrow(/TABLESTORE_BAD_PREFIX/);
  });

  it('names slot columns s_<i> and reads them back', () => {
    expect(slotColumn(12)).toBe('s_12');
    expect(slotOfColumn('s_12')).toBe(12);
    expect(slotOfColumn('size')).toBeUndefined();
    expect(slotOfColumn('s_x')).toBeUndefined();
  });
});
