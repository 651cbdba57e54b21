import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { KeyValueStore } from '@jointflow/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsStandIns, startAwsStandIns } from '../standIns';
import { dynamoClientOf } from './awsClients';
import { ensureDynamoTable } from './bootstrap';
import { createDynamoStore, dynamoKeyOf } from './dynamoStore';

/**
 * The DynamoDB store with the real SDK client against dynalite (started on loopback by
 * standIns.ts).
 */

let standIns: AwsStandIns;
let client: DynamoDBClient;
const table = 'jf-data-plane';

function cloudAt(s: AwsStandIns) {
  return {
    region: 'us-east-1',
    emulate: true,
    endpoints: { dynamodb: s.dynamodb, s3: s.s3 },
  };
}

beforeAll(async () => {
  standIns = await startAwsStandIns();
  client = dynamoClientOf(cloudAt(standIns));
  await ensureDynamoTable(client, table);
});

afterAll(async () => {
  client?.destroy();
  await standIns?.stop();
});

function store(now?: () => number): KeyValueStore {
  return createDynamoStore({ client, table, ...(now ? { now } : {}) });
}

describe('dynamoKeyOf', () => {
  it('splits at the first / or # and keeps the separator in the sort key', () => {
    expect(dynamoKeyOf('e1/a/b#ckpt')).toEqual({ pk: 'e1', sk: '/a/b#ckpt' });
    expect(dynamoKeyOf('e1#closed')).toEqual({ pk: 'e1', sk: '#closed' });
    expect(dynamoKeyOf('plain')).toEqual({ pk: 'plain', sk: '!' });
    expect(() => dynamoKeyOf('/x')).toThrow(/DYNAMO_BAD_KEY/);
  });
});

describe('ensureDynamoTable on dynalite', () => {
  it('ensureDynamoTable is idempotent and reports TTL as unsupported on dynalite', async () => {
    const again = await ensureDynamoTable(client, table);
    expect(again).toEqual({ table, created: false, ttl: 'unsupported' });
    const fresh = await ensureDynamoTable(client, 'jf-fresh-table');
    expect(fresh.created).toBe(true);
  });
});

describe('DynamoDB store on dynalite', () => {
  it('put-if-absent: first writer wins, the loser gets the stored value (read once: dynalite returns no Item)', async () => {
    const s = store();
    expect(await s.putIfAbsent('x1/step#ckpt', { out: 1 })).toEqual({ won: true });
    expect(await s.putIfAbsent('x1/step#ckpt', { out: 2 })).toEqual({
      won: false,
      existing: { out: 1 },
    });
    expect(await s.get('x1/step#ckpt')).toEqual({ out: 1 });
    expect(await s.get('x1/other#ckpt')).toBeUndefined();
  });

  it('racing writers on one key: exactly one wins and every loser adopts its value', async () => {
    const writers = 24;
    const stores = Array.from({ length: 4 }, () => store());
    for (let round = 0; round < 5; round += 1) {
      const key = `race${round}/step#ckpt`;
      const results = await Promise.all(
        Array.from({ length: writers }, (_, i) =>
          (stores[i % stores.length] as KeyValueStore).putIfAbsent(key, { writer: i }),
        ),
      );
      const winners = results.flatMap((r, i) => (r.won ? [i] : []));
      expect(winners).toHaveLength(1);
      const winner = { writer: winners[0] };
      for (const r of results) if (!r.won) expect(r.existing).toEqual(winner);
      expect(await stores[0]?.get(key)).toEqual(winner);
    }
  });

  it('getMany reads several keys in order, duplicates and absent keys included', async () => {
    const s = store();
    await s.putIfAbsent('gm/a', 'A');
    await s.putIfAbsent('gm/b', { b: [1, 2] });
    await s.putIfAbsent('gm#closed', true);
    expect(await s.getMany(['gm/b', 'gm/missing', 'gm/a', 'gm/b', 'gm#closed'])).toEqual([
      { b: [1, 2] },
      undefined,
      'A',
      { b: [1, 2] },
      true,
    ]);
    expect(await s.getMany([])).toEqual([]);
    const many = Array.from({ length: 130 }, (_, i) => `gm-many/k${i}`);
    await Promise.all(many.slice(0, 65).map((k, i) => s.putIfAbsent(k, i)));
    const values = await s.getMany(many);
    expect(values.filter((v) => v !== undefined)).toHaveLength(65);
    expect(values[64]).toBe(64);
  });

  it('expired items read as absent and can be written again', async () => {
    let clock = 1_000_000;
    const s = store(() => clock);
    expect(await s.putIfAbsent('ttl1/once#x', 'old', { ttlMs: 50 })).toEqual({ won: true });
    expect(await s.putIfAbsent('ttl1/once#x', 'early', { ttlMs: 50 })).toEqual({
      won: false,
      existing: 'old',
    });
    const raw = await client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: 'ttl1' }, sk: { S: '/once#x' } } }),
    );
    expect(raw.Item?.expiresAt?.N).toBe(String(Math.ceil(1_000_050 / 1000)));
    clock += 51;
    expect(await s.get('ttl1/once#x')).toBeUndefined();
    expect(await s.getMany(['ttl1/once#x'])).toEqual([undefined]);
    expect(await s.putIfAbsent('ttl1/once#x', 'new')).toEqual({ won: true });
    expect(await s.get('ttl1/once#x')).toBe('new');
  });

  it('fills slots once each, returns every value with the completing fill, refuses duplicates', async () => {
    const s = store();
    const key = 'j1/join:agg';
    expect(await s.fillSlot(key, 1, 3, 'b')).toEqual({ filled: 1, size: 3, newlyFilled: true });
    expect(await s.fillSlot(key, 1, 3, 'B!')).toEqual({ filled: 1, size: 3, newlyFilled: false });
    expect(await s.fillSlot(key, 0, 3, { a: 1 })).toEqual({
      filled: 2,
      size: 3,
      newlyFilled: true,
    });
    expect(await s.readSlots(key)).toEqual([{ a: 1 }, 'b', undefined]);
    expect(await s.fillSlot(key, 2, 3, null)).toEqual({
      filled: 3,
      size: 3,
      newlyFilled: true,
      values: [{ a: 1 }, 'b', null],
    });
    expect(await s.fillSlot(key, 2, 3, 'dup')).toEqual({
      filled: 3,
      size: 3,
      newlyFilled: false,
      values: [{ a: 1 }, 'b', null],
    });
    expect(await s.readSlots('j1/join:none')).toEqual([]);
    // A fill that disagrees with the record's size is not counted (it could never complete it).
    expect(await s.fillSlot('j1/join:sized', 0, 2, 'a')).toEqual({
      filled: 1,
      size: 2,
      newlyFilled: true,
    });
    expect(await s.fillSlot('j1/join:sized', 2, 3, 'c')).toEqual({
      filled: 1,
      size: 2,
      newlyFilled: false,
    });
    expect(await s.readSlots('j1/join:sized')).toEqual(['a', undefined]);
    await expect(s.fillSlot(key, 3, 3, 'x')).rejects.toThrow(/DYNAMO_BAD_SLOT/);
  });

  it('racing slot fills: each slot counted once, exactly one fill sees the record full', async () => {
    const size = 16;
    const stores = Array.from({ length: 4 }, () => store());
    const key = 'j2/join:wide';
    // Every slot filled by three racing copies (duplicate deliveries of each branch).
    const fills = await Promise.all(
      Array.from({ length: size * 3 }, (_, i) =>
        (stores[i % stores.length] as KeyValueStore).fillSlot(key, i % size, size, {
          branch: i % size,
        }),
      ),
    );
    const newly = fills.filter((f) => 'newlyFilled' in f && f.newlyFilled);
    expect(newly).toHaveLength(size);
    const completing = newly.filter((f) => 'filled' in f && f.filled === size);
    expect(completing).toHaveLength(1);
    expect(completing[0]).toMatchObject({
      values: Array.from({ length: size }, (_, i) => ({ branch: i })),
    });
  });

  it('seal: values become the tombstone, slot records refuse fills, late puts lose', async () => {
    const s = store();
    await s.putIfAbsent('s1/a#ckpt', { out: 'a' });
    await s.putIfAbsent('s1/b/map:m=2#ckpt', { out: 'b' });
    await s.putIfAbsent('s1/#result', { status: 'succeeded' });
    await s.fillSlot('s1/join:j', 0, 2, 'x');
    await s.putIfAbsent('s10/a#ckpt', { out: 'other execution' });
    await s.putIfAbsent('s1#closed', { keep: true });

    const tombstone = { jf: 'sealed' };
    await s.seal('s1/', tombstone, { ttlMs: 60_000 });

    expect(await s.getMany(['s1/a#ckpt', 's1/b/map:m=2#ckpt', 's1/#result'])).toEqual([
      tombstone,
      tombstone,
      tombstone,
    ]);
    expect(await s.get('s10/a#ckpt')).toEqual({ out: 'other execution' });
    expect(await s.get('s1#closed')).toEqual({ keep: true });
    expect(await s.putIfAbsent('s1/a#ckpt', { out: 'late' })).toEqual({
      won: false,
      existing: tombstone,
    });
    expect(await s.putIfAbsent('s1/c#ckpt', { out: 'new' })).toEqual({ won: true });
    expect(await s.fillSlot('s1/join:j', 1, 2, 'late')).toEqual({ sealed: true });
    expect(await s.fillSlot('s1/join:j', 0, 2, 'dup')).toEqual({ sealed: true });
    expect(await s.readSlots('s1/join:j')).toEqual([]);
    await expect(s.seal('s1', tombstone, { ttlMs: 1 })).rejects.toThrow(/DYNAMO_BAD_PREFIX/);
  });

  it('seal pages through more items than one Query returns', async () => {
    const s = store();
    const big = 'x'.repeat(20_000);
    const keys = Array.from({ length: 70 }, (_, i) => `s2/step${i}#ckpt`);
    await Promise.all(keys.map((k) => s.putIfAbsent(k, { big })));
    await s.seal('s2/', 'T', { ttlMs: 60_000 });
    const values = await s.getMany(keys);
    expect(values.every((v) => v === 'T')).toBe(true);
  });

  it('delete removes exact keys of values and slot records', async () => {
    const s = store();
    await s.putIfAbsent('d1/a', 1);
    await s.putIfAbsent('d1/b', 2);
    await s.fillSlot('d1/join:j', 0, 1, 'x');
    await s.delete(['d1/a', 'd1/join:j', 'd1/a', 'd1/never']);
    expect(await s.getMany(['d1/a', 'd1/b'])).toEqual([undefined, 2]);
    expect(await s.readSlots('d1/join:j')).toEqual([]);
    expect(await s.putIfAbsent('d1/a', 'again')).toEqual({ won: true });
  });

  it('a missing table is AWS_NOT_FOUND with what to do', async () => {
    const s = createDynamoStore({ client, table: 'jf-no-such-table' });
    await expect(s.get('e/x')).rejects.toMatchObject({ code: 'AWS_NOT_FOUND' });
    await expect(s.get('e/x')).rejects.toThrow(/jointflow clouds bootstrap/);
  });

  it('a client built from region/endpoint works the same', async () => {
    const s = createDynamoStore({
      table,
      region: 'us-east-1',
      endpoint: standIns.dynamodb,
      emulate: true,
    });
    expect(await s.putIfAbsent('own/client', 1)).toEqual({ won: true });
    expect(await store().get('own/client')).toBe(1);
  });
});
