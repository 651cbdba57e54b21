import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type {
  KeyValueStore,
  PutIfAbsentResult,
  SlotFillResult,
  SlotFillState,
} from '@jointflow/runtime';
import { ShimError } from '../httpTransport';
import { dynamoClientOf } from './awsClients';
import { awsErrorOf } from './awsErrors';

/**
 * The runtime's key-value store on one DynamoDB table (string keys `pk` + `sk`). Every data-plane
 * operation is one request on one item, read with `ConsistentRead`:
 *
 * | port        | request                                                                        |
 * |-------------|--------------------------------------------------------------------------------|
 * | get         | GetItem                                                                        |
 * | getMany     | BatchGetItem (≤ 100 keys per request; unprocessed keys are asked again)        |
 * | putIfAbsent | PutItem `attribute_not_exists(pk) OR expiresMs < :now`, ALL_OLD on conflict     |
 * | fillSlot    | UpdateItem `SET s_<i>, size ADD filled`, unless that slot is set or sealed, ALL_NEW |
 * | readSlots   | GetItem                                                                        |
 * | seal        | Query (pk, begins_with sk) + BatchWriteItem overwrites — maintenance           |
 * | delete      | BatchWriteItem deletes — maintenance                                           |
 *
 * Where DynamoDB does not return the stored item on a failed condition (dynalite ignores
 * `ReturnValuesOnConditionCheckFailure`), the loser reads it once more.
 *
 * Item layout: a store key splits at its first `/` or `#` into `pk` (the execution id) and `sk`
 * (the rest, separator included, so `e/x` and `e#x` stay apart; `!` when nothing follows).
 * Values are JSON text in `v`. Slot records hold `size`, `filled` and one attribute per slot
 * (`s_0`, `s_1`, …: a map attribute cannot be created and set in one update), and `sealed`
 * once closed. Expiry: `expiresAt` in epoch seconds is DynamoDB's TTL attribute (deletion is
 * lazy, up to days late, and dynalite never deletes); `expiresMs` is what reads and conditions
 * compare, so an expired item reads as absent to the millisecond.
 */

/** 16 slots of at most 16 KiB (the runtime's inline slot limit) stay well under 400 KB. */
export const DYNAMO_MAX_SLOTS_PER_RECORD = 16;

const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
/** Rounds of asking again for unprocessed keys before giving up. */
const UNPROCESSED_ROUNDS = 8;

export interface DynamoStoreOptions {
  table: string;
  /** A client to reuse (one per container); otherwise one is built from region/endpoint. */
  client?: DynamoDBClient;
  region?: string;
  endpoint?: string;
  /** Placeholder credentials for a stand-in (`emulate: true`). */
  emulate?: boolean;
  /** Clock, for tests of expiry. */
  now?: () => number;
}

interface ItemKey {
  pk: string;
  sk: string;
}

/** Splits a store key into DynamoDB's partition and sort key (see the layout above). */
export function dynamoKeyOf(key: string): ItemKey {
  const at = key.search(/[/#]/);
  const pk = at < 0 ? key : key.slice(0, at);
  const sk = at < 0 ? '!' : key.slice(at);
  if (pk === '') {
    throw new ShimError(
      'DYNAMO_BAD_KEY',
      `DYNAMO_BAD_KEY: store key "${key}" has no partition part before its first / or #`,
    );
  }
  return { pk, sk };
}

function keyAttributes(key: ItemKey): Record<string, AttributeValue> {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

function encode(value: unknown): AttributeValue {
  return { S: JSON.stringify(value === undefined ? null : value) };
}

function decode(attribute: AttributeValue | undefined): unknown {
  if (attribute?.S === undefined) return undefined;
  return JSON.parse(attribute.S);
}

function numberOf(attribute: AttributeValue | undefined): number | undefined {
  return attribute?.N === undefined ? undefined : Number(attribute.N);
}

function slotName(slot: number): string {
  return `s_${slot}`;
}

function isSlotRecord(item: Record<string, AttributeValue>): boolean {
  return item.filled !== undefined || item.sealed !== undefined || item.size !== undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A `KeyValueStore` on a DynamoDB table created by `ensureDynamoTable`.
 *
 * @example
 * const store = createDynamoStore({ client, table: 'jointflow' });
 * await store.putIfAbsent('e1/step#ckpt', { out: 1 }); // { won: true }
 */
export function createDynamoStore(options: DynamoStoreOptions): KeyValueStore {
  const table = options.table;
  const client =
    options.client ??
    dynamoClientOf({
      region: options.region ?? 'us-east-1',
      emulate: options.emulate ?? false,
      endpoints: options.endpoint !== undefined ? { dynamodb: options.endpoint } : {},
    });
  const now = options.now ?? Date.now;

  async function send<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error;
      throw awsErrorOf(error, `DynamoDB ${action} on table ${table}`);
    }
  }

  function expired(item: Record<string, AttributeValue>): boolean {
    const expiresMs = numberOf(item.expiresMs);
    return expiresMs !== undefined && expiresMs < now();
  }

  async function readItem(key: ItemKey): Promise<Record<string, AttributeValue> | undefined> {
    const res = await send('GetItem', () =>
      client.send(
        new GetItemCommand({ TableName: table, Key: keyAttributes(key), ConsistentRead: true }),
      ),
    );
    const item = res.Item;
    if (item === undefined || expired(item)) return undefined;
    return item;
  }

  function storedValue(item: Record<string, AttributeValue> | undefined): unknown | undefined {
    if (item === undefined || item.v === undefined) return undefined;
    return decode(item.v);
  }

  function fillStateOf(item: Record<string, AttributeValue>, newlyFilled: boolean): SlotFillResult {
    if (item.sealed !== undefined) return { sealed: true };
    const filled = numberOf(item.filled) ?? 0;
    const size = numberOf(item.size) ?? 0;
    const state: SlotFillState = { filled, size, newlyFilled };
    if (filled !== size) return state;
    const values: unknown[] = [];
    for (let i = 0; i < size; i += 1) {
      const slot = item[slotName(i)];
      // A record whose count and slots disagree cannot arise from fills; let the join read.
      if (slot === undefined) return state;
      values.push(decode(slot));
    }
    return { ...state, values };
  }

  async function batchWrite(requests: WriteRequest[], action: string): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      let pending: WriteRequest[] = requests.slice(i, i + BATCH_WRITE_LIMIT);
      for (let round = 0; pending.length > 0; round += 1) {
        if (round >= UNPROCESSED_ROUNDS) {
          throw new ShimError(
            'AWS_THROTTLED',
            `AWS_THROTTLED: DynamoDB ${action} on table ${table} left ${pending.length} items unprocessed after ${UNPROCESSED_ROUNDS} rounds; try again later`,
          );
        }
        if (round > 0) await sleep(25 * 2 ** round);
        const res = await send(action, () =>
          client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } })),
        );
        pending = res.UnprocessedItems?.[table] ?? [];
      }
    }
  }

  async function fetchMany(
    unique: ItemKey[],
  ): Promise<Map<string, Record<string, AttributeValue>>> {
    const found = new Map<string, Record<string, AttributeValue>>();
    let pending: Record<string, AttributeValue>[] = unique.map(keyAttributes);
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= UNPROCESSED_ROUNDS) {
        throw new ShimError(
          'AWS_THROTTLED',
          `AWS_THROTTLED: DynamoDB BatchGetItem on table ${table} left ${pending.length} keys unprocessed after ${UNPROCESSED_ROUNDS} rounds; try again later`,
        );
      }
      if (round > 0) await sleep(25 * 2 ** round);
      const keys = pending;
      const res = await send('BatchGetItem', () =>
        client.send(
          new BatchGetItemCommand({
            RequestItems: { [table]: { Keys: keys, ConsistentRead: true } },
          }),
        ),
      );
      for (const item of res.Responses?.[table] ?? []) {
        found.set(`${item.pk?.S}\u0000${item.sk?.S}`, item);
      }
      pending = res.UnprocessedKeys?.[table]?.Keys ?? [];
    }
    return found;
  }

  return {
    maxSlotsPerRecord: DYNAMO_MAX_SLOTS_PER_RECORD,

    async get(key) {
      return storedValue(await readItem(dynamoKeyOf(key)));
    },

    async getMany(keys) {
      if (keys.length === 0) return [];
      const itemKeys = keys.map(dynamoKeyOf);
      // BatchGetItem refuses a request that names one key twice.
      const unique = new Map<string, ItemKey>();
      for (const k of itemKeys) unique.set(`${k.pk}\u0000${k.sk}`, k);
      const all = [...unique.values()];
      const found = new Map<string, Record<string, AttributeValue>>();
      // One request for up to 100 distinct keys (the runtime asks for far fewer).
      for (let i = 0; i < all.length; i += BATCH_GET_LIMIT) {
        for (const [id, item] of await fetchMany(all.slice(i, i + BATCH_GET_LIMIT))) {
          found.set(id, item);
        }
      }
      return itemKeys.map((k) => {
        const item = found.get(`${k.pk}\u0000${k.sk}`);
        return item === undefined || expired(item) ? undefined : storedValue(item);
      });
    },

    async putIfAbsent(key, value, putOptions): Promise<PutIfAbsentResult> {
      const itemKey = dynamoKeyOf(key);
      // A concurrent delete or expiry can empty the key between a lost put and its read; then
      // the put is tried again (a handful of times at most: each round needs another writer).
      for (let round = 0; round < 4; round += 1) {
        const at = now();
        const item: Record<string, AttributeValue> = {
          ...keyAttributes(itemKey),
          v: encode(value),
        };
        if (putOptions?.ttlMs !== undefined) {
          const expiresMs = at + putOptions.ttlMs;
          item.expiresMs = { N: String(expiresMs) };
          item.expiresAt = { N: String(Math.ceil(expiresMs / 1000)) };
        }
        try {
          await send('PutItem', () =>
            client.send(
              new PutItemCommand({
                TableName: table,
                Item: item,
                ConditionExpression: 'attribute_not_exists(pk) OR #expiresMs < :now',
                ExpressionAttributeNames: { '#expiresMs': 'expiresMs' },
                ExpressionAttributeValues: { ':now': { N: String(at) } },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            ),
          );
          return { won: true };
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          const stored = error.Item ?? (await readItem(itemKey));
          if (stored !== undefined && !expired(stored)) {
            return { won: false, existing: storedValue(stored) ?? null };
          }
        }
      }
      throw new ShimError(
        'DYNAMO_CONTENDED',
        `DYNAMO_CONTENDED: put-if-absent of "${key}" on table ${table} kept losing to writers whose items then vanished; try again`,
      );
    },

    async fillSlot(key, slot, size, value): Promise<SlotFillResult> {
      if (!Number.isInteger(slot) || slot < 0 || slot >= size) {
        throw new ShimError(
          'DYNAMO_BAD_SLOT',
          `DYNAMO_BAD_SLOT: slot ${slot} is outside a record of ${size} slots ("${key}")`,
        );
      }
      const itemKey = dynamoKeyOf(key);
      try {
        const res = await send('UpdateItem', () =>
          client.send(
            new UpdateItemCommand({
              TableName: table,
              Key: keyAttributes(itemKey),
              UpdateExpression:
                'SET #slot = :value, #size = if_not_exists(#size, :size) ADD #filled :one',
              // The record's size is the first filler's; a fill that disagrees (a bug upstream)
              // must not be counted, or `filled` could pass `size` and complete nothing.
              ConditionExpression:
                'attribute_not_exists(#slot) AND attribute_not_exists(#sealed) AND (attribute_not_exists(#size) OR #size = :size)',
              ExpressionAttributeNames: {
                '#slot': slotName(slot),
                '#size': 'size',
                '#filled': 'filled',
                '#sealed': 'sealed',
              },
              ExpressionAttributeValues: {
                ':value': encode(value),
                ':size': { N: String(size) },
                ':one': { N: '1' },
              },
              ReturnValues: 'ALL_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          ),
        );
        return fillStateOf(res.Attributes ?? {}, true);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The slot was filled (a duplicate branch), the record sealed, or its size differs. A sealed record stays
        // sealed past its expiry: a fill that late is beyond every redelivery window anyway.
        const stored =
          error.Item ??
          (
            await send('GetItem', () =>
              client.send(
                new GetItemCommand({
                  TableName: table,
                  Key: keyAttributes(itemKey),
                  ConsistentRead: true,
                }),
              ),
            )
          ).Item;
        if (stored === undefined) {
          throw new ShimError(
            'DYNAMO_CONTENDED',
            `DYNAMO_CONTENDED: slot record "${key}" refused slot ${slot} and then vanished; try again`,
          );
        }
        return fillStateOf(stored, false);
      }
    },

    async readSlots(key) {
      const item = await readItem(dynamoKeyOf(key));
      if (item === undefined || item.sealed !== undefined || !isSlotRecord(item)) return [];
      const size = numberOf(item.size) ?? 0;
      return Array.from({ length: size }, (_, i) => decode(item[slotName(i)]));
    },

    async seal(prefix, tombstone, sealOptions) {
      const { pk, sk } = dynamoKeyOf(prefix);
      if (sk === '!') {
        throw new ShimError(
          'DYNAMO_BAD_PREFIX',
          `DYNAMO_BAD_PREFIX: seal prefix "${prefix}" must end in the execution's / or # (e.g. "e1/")`,
        );
      }
      const expiresMs = now() + sealOptions.ttlMs;
      const expiry = {
        expiresMs: { N: String(expiresMs) },
        expiresAt: { N: String(Math.ceil(expiresMs / 1000)) },
      };
      const writes: WriteRequest[] = [];
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await send('Query', () =>
          client.send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
              ExpressionAttributeValues: { ':pk': { S: pk }, ':sk': { S: sk } },
              ConsistentRead: true,
              ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
        for (const item of page.Items ?? []) {
          const base = { pk: item.pk ?? { S: pk }, sk: item.sk ?? { S: sk }, ...expiry };
          // Whole-item overwrites: a slot record loses its slots, a value becomes the tombstone.
          const sealed: Record<string, AttributeValue> = isSlotRecord(item)
            ? { ...base, sealed: { BOOL: true }, size: item.size ?? { N: '0' } }
            : { ...base, v: encode(tombstone) };
          writes.push({ PutRequest: { Item: sealed } });
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      await batchWrite(writes, 'BatchWriteItem (seal)');
    },

    async delete(keys) {
      const unique = new Map<string, ItemKey>();
      for (const key of keys) {
        const k = dynamoKeyOf(key);
        unique.set(`${k.pk}\u0000${k.sk}`, k);
      }
      await batchWrite(
        [...unique.values()].map((k) => ({ DeleteRequest: { Key: keyAttributes(k) } })),
        'BatchWriteItem (delete)',
      );
    },
  };
}
