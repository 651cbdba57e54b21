import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fillJoinSlot, readJoinSlots } from '../joinTree';
import type { KeyValueStore, SlotFillState } from '../ports';

/**
 * The store conformance suite: one set of tests that every `KeyValueStore` implementation runs
 * (the in-memory harness, the local cloud's SQLite store over HTTP, DynamoDB through dynalite,
 * …). It checks what the exactly-once protocol rests on: racing writers with exactly one winner,
 * the loser adopting the winner's value, slot fills under races with one completer, strongly
 * consistent reads, large values, sealing a closed execution's items (a late put-if-absent
 * loses to the tombstone; a late fill is refused), exact deletes, TTL, and joins wider than the
 * store's `maxSlotsPerRecord`.
 *
 * Every test writes under its own fresh execution id, so one store can serve the whole suite.
 */

export interface StoreUnderTest {
  store: KeyValueStore;
}

export interface StoreConformanceOptions {
  /** Called once before the tests; returns the store (e.g. after starting a stand-in). */
  setup(): Promise<StoreUnderTest>;
  teardown?(): Promise<void>;
  /**
   * The store's TTL granularity in ms (DynamoDB's TTL attribute is in seconds: 1000). The TTL
   * test writes with this TTL and waits twice as long plus a margin.
   */
  ttlGranularityMs?: number;
  /** Largest value the suite writes, in bytes (default 300,000: under DynamoDB's 400 KB item). */
  largeValueBytes?: number;
}

const tombstone = { closed: { closedAt: 1, status: 'succeeded' as const } };

function filled(result: Awaited<ReturnType<KeyValueStore['fillSlot']>>): SlotFillState {
  if ('sealed' in result) throw new Error('the fill was refused as sealed');
  return result;
}

/**
 * Registers the suite under `describe(name)`.
 *
 * @example
 * describeStoreConformance('local SQLite store', { setup: async () => ({ store }) });
 */
export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  describe(`store conformance: ${name}`, () => {
    let store: KeyValueStore;
    const ex = () => `t${randomUUID().replaceAll('-', '').slice(0, 20)}`;

    it('setup', async () => {
      store = (await options.setup()).store;
    });

    it('racing writers: exactly one wins, every loser gets the winner value', async () => {
      const key = `${ex()}/step#ckpt`;
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => store.putIfAbsent(key, { writer: i, pad: 'x' })),
      );
      const winners = results.filter((r) => r.won);
      expect(winners).toHaveLength(1);
      const stored = await store.get(key);
      expect(stored).toMatchObject({ pad: 'x' });
      for (const r of results) if (!r.won) expect(r.existing).toEqual(stored);
    });

    it('reads are strongly consistent, absent keys read as undefined, getMany keeps order', async () => {
      const e = ex();
      for (let i = 0; i < 20; i++) {
        expect(await store.putIfAbsent(`${e}/k${i}`, { i })).toEqual({ won: true });
        expect(await store.get(`${e}/k${i}`)).toEqual({ i });
      }
      expect(await store.get(`${e}/absent`)).toBeUndefined();
      expect(await store.getMany([`${e}/k3`, `${e}/absent`, `${e}/k1`, `${e}#closed`])).toEqual([
        { i: 3 },
        undefined,
        { i: 1 },
        undefined,
      ]);
      expect(await store.getMany([])).toEqual([]);
    });

    it('keeps JSON values exactly, large ones included', async () => {
      const e = ex();
      const bytes = options.largeValueBytes ?? 300_000;
      const values: unknown[] = [
        null,
        0,
        -1.5,
        'text with "quotes", unicode ✓ and \u2028',
        [1, [2, { a: null }]],
        { nested: { deep: [true, false] }, empty: {} },
        { big: 'y'.repeat(bytes) },
      ];
      for (const [i, value] of values.entries()) {
        expect(await store.putIfAbsent(`${e}/v${i}`, value)).toEqual({ won: true });
        expect(await store.get(`${e}/v${i}`)).toEqual(value);
      }
      const lost = await store.putIfAbsent(`${e}/v6`, 'other');
      expect(lost).toEqual({ won: false, existing: values[6] });
    });

    it('slot fills under races: each slot once, one completer that sees every value', async () => {
      const key = `${ex()}/join:j`;
      const order = [0, 1, 2, 3, 1, 0, 3, 2, 2];
      const fills = (
        await Promise.all(order.map((slot) => store.fillSlot(key, slot, 4, { slot })))
      ).map(filled);
      expect(fills.filter((f) => f.newlyFilled)).toHaveLength(4);
      expect(fills.every((f) => f.size === 4)).toBe(true);
      const completers = fills.filter((f) => f.newlyFilled && f.filled === 4);
      expect(completers).toHaveLength(1);
      for (const f of fills) {
        if (f.filled < 4) expect(f.values).toBeUndefined();
        else if (f.values !== undefined) {
          expect(f.values).toEqual([0, 1, 2, 3].map((slot) => ({ slot })));
        }
      }
      expect(await store.readSlots(key)).toEqual([0, 1, 2, 3].map((slot) => ({ slot })));
      expect(await store.readSlots(`${key}-absent`)).toEqual([]);
      // The first filler's size wins; a later fill with another size does not change it.
      expect(filled(await store.fillSlot(key, 0, 9, { slot: 0 })).size).toBe(4);
    });

    it('a partly filled record reads with gaps', async () => {
      const key = `${ex()}/join:j`;
      await store.fillSlot(key, 2, 3, 'c');
      expect(await store.readSlots(key)).toEqual([undefined, undefined, 'c']);
    });

    it('sealing a closed execution: items stay as tombstones, late writes and fills lose', async () => {
      const e = ex();
      const neighbour = `${e}0`;
      await store.putIfAbsent(`${e}/a#ckpt`, { out: 1 });
      await store.putIfAbsent(`${e}/#result`, { status: 'succeeded' });
      await store.fillSlot(`${e}/join:j`, 0, 2, 'x');
      await store.putIfAbsent(`${e}#closed`, tombstone.closed);
      await store.putIfAbsent(`${neighbour}/a#ckpt`, { out: 'neighbour' });
      await store.fillSlot(`${neighbour}/join:j`, 0, 2, 'n');

      await store.seal(`${e}/`, tombstone, { ttlMs: 60_000 });
      await store.seal(`${e}/`, tombstone, { ttlMs: 60_000 }); // idempotent

      expect(await store.get(`${e}/a#ckpt`)).toEqual(tombstone);
      expect(await store.get(`${e}/#result`)).toEqual(tombstone);
      expect(await store.putIfAbsent(`${e}/a#ckpt`, { out: 'late' })).toEqual({
        won: false,
        existing: tombstone,
      });
      expect(await store.fillSlot(`${e}/join:j`, 1, 2, 'late')).toEqual({ sealed: true });
      expect(await store.readSlots(`${e}/join:j`)).toEqual([]);
      // Outside the prefix nothing changed: the marker, and an execution whose id extends it.
      expect(await store.get(`${e}#closed`)).toEqual(tombstone.closed);
      expect(await store.get(`${neighbour}/a#ckpt`)).toEqual({ out: 'neighbour' });
      expect(filled(await store.fillSlot(`${neighbour}/join:j`, 1, 2, 'm')).filled).toBe(2);
    });

    it('deletes exact keys, values and slot records alike', async () => {
      const e = ex();
      await store.putIfAbsent(`${e}/a#ckpt`, 1);
      await store.putIfAbsent(`${e}/a#ckpt2`, 2);
      await store.fillSlot(`${e}/join:j`, 0, 1, 'x');
      await store.delete([`${e}/a#ckpt`, `${e}/join:j`, `${e}/never`]);
      expect(await store.getMany([`${e}/a#ckpt`, `${e}/a#ckpt2`])).toEqual([undefined, 2]);
      expect(await store.readSlots(`${e}/join:j`)).toEqual([]);
      expect(await store.putIfAbsent(`${e}/a#ckpt`, 3)).toEqual({ won: true });
      expect(filled(await store.fillSlot(`${e}/join:j`, 0, 1, 'y')).newlyFilled).toBe(true);
    });

    it('a value past its TTL reads as absent and can be written again', async () => {
      const key = `${ex()}/ttl`;
      const ttlMs = options.ttlGranularityMs ?? 100;
      expect(await store.putIfAbsent(key, 'a', { ttlMs })).toEqual({ won: true });
      expect(await store.putIfAbsent(key, 'b')).toEqual({ won: false, existing: 'a' });
      await new Promise((resolve) => setTimeout(resolve, 2 * ttlMs + 100));
      expect(await store.get(key)).toBeUndefined();
      expect(await store.getMany([key])).toEqual([undefined]);
      expect(await store.putIfAbsent(key, 'c')).toEqual({ won: true });
      expect(await store.get(key)).toBe('c');
    });

    it('a join wider than one record completes exactly once and reads back in order', async () => {
      const max = store.maxSlotsPerRecord ?? 8;
      const size = max * 3 + 1;
      const key = `${ex()}/join:wide`;
      const slots = Array.from({ length: size }, (_, i) => i);
      const results = await Promise.all(
        [...slots, ...slots.slice(0, 5)].map((slot) =>
          fillJoinSlot(store, key, slot, size, { slot }),
        ),
      );
      const complete = results.map(filled).filter((r) => r.filled === size && r.newlyFilled);
      expect(complete).toHaveLength(1);
      expect(await readJoinSlots(store, key)).toEqual(slots.map((slot) => ({ slot })));
    });

    it('teardown', async () => {
      await options.teardown?.();
    });
  });
}
