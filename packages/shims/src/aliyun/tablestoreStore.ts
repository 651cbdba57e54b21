import type {
  KeyValueStore,
  PutIfAbsentResult,
  SlotFillResult,
  SlotFillState,
} from '@jointflow/runtime';
import type { BatchWriteRow, DecodedRow } from 'tablestore';
import type { TablestoreClient } from './aliyunClients';
import { aliyunErrorOf, isConditionFailed } from './aliyunErrors';
import { PK, SK } from './tablestoreKeys';
import {
  batchGetParams,
  deleteRowChange,
  fillCheckParams,
  filledAfterFill,
  fillSlotParams,
  getRowParams,
  NO_EXPIRY,
  prefixRangeParams,
  putIfAbsentParams,
  putOverExpiredParams,
  readSlotRecord,
  readValue,
  sealRowChange,
  storeKeyOfRow,
} from './tablestoreRequests';

/**
 * The runtime's key-value store on Tablestore (written against the `tablestore` 5.6 SDK's
 * documented API; NEVER RUN AGAINST A TABLESTORE SERVER: no emulator exists, see the README).
 *
 * Round trips: get = 1 GetRow; getMany = 1 BatchGetRow per 100 keys; putIfAbsent = 1 PutRow
 * (`EXPECT_NOT_EXIST`), plus 1 GetRow for the loser (Tablestore returns no row on a failed
 * condition); fillSlot = 1 conditional UpdateRow with an atomic counter, plus 1 GetRow when the
 * condition fails (duplicate slot, sealed record); readSlots = 1 GetRow. seal and delete are
 * maintenance: GetRange pages + BatchWriteRow chunks. Reads are strongly consistent (GetRow,
 * BatchGetRow and GetRange read the primary table). Durability: Tablestore's (a write is
 * acknowledged once it is persisted on three replicas).
 *
 * Slot records hold at most 64 slots: a Tablestore row stops at 2 MB and a slot value is inline
 * only up to the runtime's slot inline limit (16 KiB), so 64 × 16 KiB = 1 MiB leaves room.
 */

export interface TablestoreStoreOptions {
  /** The client to use, per call (clients are rebuilt when STS credentials rotate). */
  client: () => Promise<TablestoreClient>;
  table: string;
  /** The clock for TTLs (ms since the epoch). */
  now?: () => number;
  /** Names the store in errors (`tablestore instance/table on cloud <id>`). */
  label?: string;
}

const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 100;
/** Loser paths loop when the row changes under them (deleted between two requests). */
const MAX_RACE_ROUNDS = 4;

/**
 * The runtime's `KeyValueStore` on one Tablestore table (see the file comment for round trips,
 * consistency and limits; never run against Tablestore).
 *
 * @example
 * const store = createTablestoreStore({
 *   client: clientPerCredentials(source, (c) => tablestoreClient(c, 'my-instance', endpoint)),
 *   table: 'jointflow',
 * });
 * await store.putIfAbsent('e1/a#ckpt', { out: 1 });
 */
export function createTablestoreStore(options: TablestoreStoreOptions): KeyValueStore {
  const { table } = options;
  const now = options.now ?? Date.now;
  const label = options.label ?? `Tablestore table ${table}`;

  async function withClient<T>(run: (client: TablestoreClient) => Promise<T>): Promise<T> {
    const client = await options.client();
    return run(client);
  }

  async function getRow(key: string, params = getRowParams(table, key)): Promise<DecodedRow> {
    try {
      return (await withClient((c) => c.getRow(params))).row;
    } catch (error) {
      throw aliyunErrorOf(error, `GetRow "${key}" on ${label}`);
    }
  }

  async function batchWrite(rows: BatchWriteRow[], action: string): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH_WRITE_LIMIT) {
      let pending = rows.slice(i, i + BATCH_WRITE_LIMIT);
      for (let round = 1; pending.length > 0; round += 1) {
        const response = await withClient((c) =>
          c.batchWriteRow({ tables: [{ tableName: table, rows: pending }] }),
        ).catch((error: unknown) => {
          throw aliyunErrorOf(error, `${action} (BatchWriteRow) on ${label}`);
        });
        // Rows come back in request order; retry the ones Tablestore refused (busy partitions).
        const failed = response.tables
          .map((result, index) => ({ result, row: pending[index] }))
          .filter(({ result }) => !result.isOk);
        if (failed.length === 0) break;
        if (round >= 5) {
          const first = failed[0]?.result;
          throw aliyunErrorOf(
            {
              code: first?.errorCode ?? 'OTSInternalServerError',
              message: first?.errorMessage ?? '',
            },
            `${action} on ${label}: ${failed.length} rows refused after ${round} attempts`,
          );
        }
        pending = failed.flatMap(({ row }) => (row === undefined ? [] : [row]));
        await new Promise((r) => setTimeout(r, 50 * 2 ** round));
      }
    }
  }

  return {
    maxSlotsPerRecord: 64,

    async get(key) {
      const read = readValue(await getRow(key), now());
      return read.present && !read.expired ? read.value : undefined;
    },

    async getMany(keys) {
      const unique = [...new Set(keys)];
      const found = new Map<string, unknown>();
      for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
        let pending = unique.slice(i, i + BATCH_GET_LIMIT);
        for (let round = 1; pending.length > 0; round += 1) {
          const response = await withClient((c) =>
            c.batchGetRow(batchGetParams(table, pending)),
          ).catch((error: unknown) => {
            throw aliyunErrorOf(error, `BatchGetRow of ${pending.length} keys on ${label}`);
          });
          const results = response.tables[0] ?? [];
          const retry: string[] = [];
          results.forEach((result, index) => {
            const key = pending[index];
            if (key === undefined) return;
            if (!result.isOk) {
              retry.push(key);
              return;
            }
            const row: DecodedRow = {
              ...(result.primaryKey !== null ? { primaryKey: result.primaryKey } : {}),
              ...(result.attributes !== null ? { attributes: result.attributes } : {}),
            };
            // An absent row comes back without a primary key; a present one must be this key.
            const rowKey = storeKeyOfRow(row);
            if (rowKey !== undefined && rowKey !== key) return;
            const read = readValue(row, now());
            if (read.present && !read.expired) found.set(key, read.value);
          });
          if (retry.length > 0 && round >= 5) {
            throw aliyunErrorOf(
              { code: 'OTSServerBusy', message: `${retry.length} rows refused` },
              `BatchGetRow on ${label} after ${round} attempts`,
            );
          }
          pending = retry;
        }
      }
      return keys.map((key) => found.get(key));
    },

    async putIfAbsent(key, value, putOptions): Promise<PutIfAbsentResult> {
      const expiresAt = putOptions?.ttlMs !== undefined ? now() + putOptions.ttlMs : NO_EXPIRY;
      let params = putIfAbsentParams(table, key, value, expiresAt);
      for (let round = 1; round <= MAX_RACE_ROUNDS; round += 1) {
        try {
          await withClient((c) => c.putRow(params));
          return { won: true };
        } catch (error) {
          if (!isConditionFailed(error)) throw aliyunErrorOf(error, `PutRow "${key}" on ${label}`);
        }
        // Lost: Tablestore returned no row, so read the winner's value.
        const read = readValue(await getRow(key), now());
        if (read.present && !read.expired) return { won: false, existing: read.value };
        // Gone (deleted) since the put: try again; expired: replace it, unless someone else does.
        params = read.present
          ? putOverExpiredParams(table, key, value, expiresAt, now())
          : putIfAbsentParams(table, key, value, expiresAt);
      }
      throw aliyunErrorOf(
        { code: 'OTSRowOperationConflict', message: 'the row kept changing' },
        `putIfAbsent "${key}" on ${label} after ${MAX_RACE_ROUNDS} rounds`,
      );
    },

    async fillSlot(key, slot, size, value): Promise<SlotFillResult> {
      const params = fillSlotParams(table, key, slot, size, value);
      for (let round = 1; round <= MAX_RACE_ROUNDS; round += 1) {
        try {
          const response = await withClient((c) => c.updateRow(params));
          return { filled: filledAfterFill(response.row), size, newlyFilled: true };
        } catch (error) {
          if (!isConditionFailed(error)) {
            throw aliyunErrorOf(error, `UpdateRow (fill slot ${slot}) "${key}" on ${label}`);
          }
        }
        const record = readSlotRecord(await getRow(key, fillCheckParams(table, key, slot)));
        if (record.exists && record.sealed) return { sealed: true };
        if (record.exists && record.slots.has(slot)) {
          const state: SlotFillState = {
            filled: record.filled,
            size: record.size,
            newlyFilled: false,
          };
          return state;
        }
        if (record.exists && record.size !== size) {
          throw new Error(
            `TABLESTORE_SLOT_SIZE_MISMATCH: slot record "${key}" has ${record.size} slots but a filler says ${size}; the fillers of one join must agree on its size (a runtime bug: report it)`,
          );
        }
        // The row changed under us (deleted between the update and the read): try again.
      }
      throw aliyunErrorOf(
        { code: 'OTSRowOperationConflict', message: 'the row kept changing' },
        `fillSlot "${key}" on ${label} after ${MAX_RACE_ROUNDS} rounds`,
      );
    },

    async readSlots(key) {
      const record = readSlotRecord(await getRow(key));
      if (!record.exists || record.sealed) return [];
      return Array.from({ length: record.size }, (_, i) => record.slots.get(i));
    },

    async seal(prefix, tombstone, sealOptions) {
      const expiresAt = now() + sealOptions.ttlMs;
      let startSk: string | undefined;
      for (;;) {
        const page = await withClient((c) =>
          c.getRange(prefixRangeParams(table, prefix, startSk)),
        ).catch((error: unknown) => {
          throw aliyunErrorOf(error, `GetRange "${prefix}" on ${label}`);
        });
        const changes = page.rows.flatMap((row) => {
          const change = sealRowChange(row, tombstone, expiresAt);
          return change === undefined ? [] : [change];
        });
        await batchWrite(changes, `seal "${prefix}"`);
        const next = page.nextStartPrimaryKey;
        const nextPk = next?.find((c) => c.name === PK)?.value;
        const nextSk = next?.find((c) => c.name === SK)?.value;
        if (next === null || typeof nextSk !== 'string' || typeof nextPk !== 'string') return;
        startSk = nextSk;
      }
    },

    async delete(keys) {
      await batchWrite([...new Set(keys)].map(deleteRowChange), 'delete');
    },
  };
}
