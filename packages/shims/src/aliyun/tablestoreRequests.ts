import TableStore, {
  type BatchGetRowParams,
  type BatchWriteRow,
  type ColumnValue,
  type DecodedRow,
  type GetRangeParams,
  type GetRowParams,
  type PrimaryKeyInput,
  type PutRowParams,
  type UpdateRowParams,
} from 'tablestore';
import { PK, prefixRange, SK, slotColumn, slotOfColumn, splitStoreKey } from './tablestoreKeys';

/**
 * Tablestore requests and response parsing for the key-value store, as pure functions over the
 * SDK's own request objects (`Condition`, `SingleColumnCondition`, `Long`) so the tests can
 * encode them with the SDK's encoder and read back exactly what would go on the wire.
 *
 * Row layout (one table, primary key `pk` + `sk`, see tablestoreKeys.ts):
 * - a value: `v` (JSON text) and `expiresAt` (INTEGER, epoch ms; `NO_EXPIRY` when none);
 * - a slot record: `s_<i>` (JSON text) per filled slot, `size` and `filled` (INTEGER), and once
 *   sealed only `sealed` (INTEGER 1) and `expiresAt`.
 *
 * "Column absent" has no comparator in Tablestore; a column condition with `passIfMissing`
 * passes when the column is missing and otherwise compares. Comparing with a value the column
 * never holds (`''` for a JSON text column, `0` for `sealed`, which is only ever 1) therefore
 * means "absent". The SDK sends `passIfMissing` as `filter_if_missing = !passIfMissing`.
 */

export const VALUE = 'v';
export const EXPIRES_AT = 'expiresAt';
export const SIZE = 'size';
export const FILLED = 'filled';
export const SEALED = 'sealed';
/** Stored on values without a TTL, so every value row has `expiresAt` (conditions compare it). */
export const NO_EXPIRY = Number.MAX_SAFE_INTEGER;
/** Tablestore's limit on one attribute column value (2 MB), minus room for the rest of the row. */
export const MAX_VALUE_BYTES = 2 * 1024 * 1024 - 64 * 1024;

const { Condition, SingleColumnCondition, CompositeCondition, Long } = TableStore;
const { RowExistenceExpectation, ComparatorType, LogicalOperator, ReturnType } = TableStore;

/** Tablestore's limit on one string primary-key column, bytes. */
export const MAX_KEY_COLUMN_BYTES = 1024;

/** The SDK's primary key input for a store key. */
export function primaryKeyOf(key: string): PrimaryKeyInput {
  const { pk, sk } = splitStoreKey(key);
  for (const part of [pk, sk]) {
    if (Buffer.byteLength(part) > MAX_KEY_COLUMN_BYTES) {
      throw new Error(
        `TABLESTORE_KEY_TOO_LONG: key "${key.slice(0, 80)}…" has a ${Buffer.byteLength(part)}-byte part, over Tablestore's 1 KB primary-key column limit; use shorter node names, map/loop names or once keys`,
      );
    }
  }
  return [{ [PK]: pk }, { [SK]: sk }];
}

/** JSON text of a value; `undefined` is stored as `null`, like JSON does inside arrays. */
export function encodeValue(value: unknown, key: string): string {
  const text = JSON.stringify(value) ?? 'null';
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_VALUE_BYTES) {
    throw new Error(
      `TABLESTORE_VALUE_TOO_LARGE: the value for "${key}" is ${bytes} bytes, over Tablestore's 2 MB column limit; pass large data as a blob (the runtime does above its inline limit)`,
    );
  }
  return text;
}

/** "Column `column` is absent": `column == never` passing when missing. */
function columnAbsent(column: string, never: ColumnValue) {
  return new SingleColumnCondition(column, never, ComparatorType.EQUAL, true, true);
}

/** A strongly consistent read of one row (GetRow always reads the leader: strongly consistent). */
export function getRowParams(table: string, key: string): GetRowParams {
  return { tableName: table, primaryKey: primaryKeyOf(key), maxVersions: 1 };
}

/**
 * The read after a refused fill: only what decides its outcome (this slot, `size`, `filled`,
 * `sealed`), not the other slots (up to 64 × 16 KiB).
 */
export function fillCheckParams(table: string, key: string, slot: number): GetRowParams {
  return {
    ...getRowParams(table, key),
    columnsToGet: [slotColumn(slot), SIZE, FILLED, SEALED],
  };
}

/**
 * Put-if-absent: PutRow with `EXPECT_NOT_EXIST`. On conflict Tablestore answers
 * OTSConditionCheckFail with no row (it returns at most the primary key), so the loser reads
 * once more (`getRowParams`).
 */
export function putIfAbsentParams(
  table: string,
  key: string,
  value: unknown,
  expiresAt: number,
): PutRowParams {
  return {
    tableName: table,
    condition: new Condition(RowExistenceExpectation.EXPECT_NOT_EXIST, null),
    primaryKey: primaryKeyOf(key),
    attributeColumns: [
      { [VALUE]: encodeValue(value, key) },
      { [EXPIRES_AT]: Long.fromNumber(expiresAt) },
    ],
  };
}

/**
 * Replaces a value whose TTL has passed (Tablestore has no per-row TTL, so an expired row is
 * still there): PutRow expecting the row to exist with `expiresAt < now`. Only the rare loser
 * that read an expired row sends it; a concurrent writer that got there first fails it.
 */
export function putOverExpiredParams(
  table: string,
  key: string,
  value: unknown,
  expiresAt: number,
  now: number,
): PutRowParams {
  return {
    tableName: table,
    condition: new Condition(
      RowExistenceExpectation.EXPECT_EXIST,
      new SingleColumnCondition(
        EXPIRES_AT,
        Long.fromNumber(now),
        ComparatorType.LESS_THAN,
        false,
        true,
      ),
    ),
    primaryKey: primaryKeyOf(key),
    attributeColumns: [
      { [VALUE]: encodeValue(value, key) },
      { [EXPIRES_AT]: Long.fromNumber(expiresAt) },
    ],
  };
}

/**
 * Fills slot `slot` in one UpdateRow, on one row, atomically:
 * - condition: `s_<slot>` absent AND `sealed` absent AND (`size` absent OR `size == size`);
 * - PUT `s_<slot>` and `size`, INCREMENT `filled` by 1, return `filled` after the change.
 *
 * Why `filled` is exact: Tablestore applies a conditional UpdateRow atomically on its row (the
 * condition is checked and the change applied under the row lock; the atomic counter reads and
 * writes under the same lock). The increment is part of a change that only applies when this
 * slot was absent, so `filled` grows by exactly one per distinct slot, whatever the races; two
 * fillers of one slot cannot both pass the condition. The returned value is the count right
 * after this fill, so exactly one filler sees `filled === size`. `size` is guarded instead of
 * `if_not_exists` (Tablestore has none): the first filler sets it, later fillers must agree,
 * and the size a filler is told back is its own, proven equal by the condition.
 *
 * A filler that loses the condition reads the row once (duplicate slot, sealed record, or a
 * size that disagrees).
 */
export function fillSlotParams(
  table: string,
  key: string,
  slot: number,
  size: number,
  value: unknown,
): UpdateRowParams {
  const column = slotColumn(slot);
  const condition = new CompositeCondition(LogicalOperator.AND);
  condition.addSubCondition(columnAbsent(column, ''));
  condition.addSubCondition(columnAbsent(SEALED, Long.fromNumber(0)));
  condition.addSubCondition(
    new SingleColumnCondition(SIZE, Long.fromNumber(size), ComparatorType.EQUAL, true, true),
  );
  return {
    tableName: table,
    condition: new Condition(RowExistenceExpectation.IGNORE, condition),
    primaryKey: primaryKeyOf(key),
    updateOfAttributeColumns: [
      { PUT: [{ [column]: encodeValue(value, key) }, { [SIZE]: Long.fromNumber(size) }] },
      { INCREMENT: [{ [FILLED]: Long.fromNumber(1) }] },
    ],
    returnContent: { returnType: ReturnType.AfterModify, returnColumns: [FILLED] },
  };
}

/**
 * One page of the rows under `prefix` (from `startSk` when continuing). Only the columns that
 * tell a value row from a slot record are read (never the values or slots themselves, up to
 * 2 MB a row): every value row has `expiresAt`, every slot record `size` or `sealed`.
 */
export function prefixRangeParams(
  table: string,
  prefix: string,
  startSk?: string,
  limit = 500,
): GetRangeParams {
  const { pk, start, end } = prefixRange(prefix);
  return {
    tableName: table,
    direction: 'FORWARD',
    inclusiveStartPrimaryKey: [{ [PK]: pk }, { [SK]: startSk ?? start }],
    exclusiveEndPrimaryKey: [{ [PK]: pk }, { [SK]: end }],
    maxVersions: 1,
    limit,
    columnsToGet: [EXPIRES_AT, SIZE, SEALED],
  };
}

/** One BatchGetRow of `keys` (at most 100, Tablestore's limit). */
export function batchGetParams(table: string, keys: readonly string[]): BatchGetRowParams {
  return { tables: [{ tableName: table, primaryKey: keys.map(primaryKeyOf), maxVersions: 1 }] };
}

/**
 * The change that seals one row under a closed prefix: a value becomes the tombstone, a slot
 * record becomes `{ sealed: 1 }` (PutRow replaces the whole row, dropping every slot), both
 * expiring at `expiresAt`. A fill racing the seal either lands before (and is replaced) or
 * fails its `sealed` condition after.
 */
export function sealRowChange(
  row: DecodedRow,
  tombstone: unknown,
  expiresAt: number,
): BatchWriteRow | undefined {
  const key = storeKeyOfRow(row);
  if (key === undefined) return undefined;
  const columns = columnsOf(row);
  const isSlotRecord = columns.has(SIZE) || columns.has(SEALED);
  const attributeColumns: Record<string, ColumnValue>[] = isSlotRecord
    ? [{ [SEALED]: Long.fromNumber(1) }, { [EXPIRES_AT]: Long.fromNumber(expiresAt) }]
    : [{ [VALUE]: encodeValue(tombstone, key) }, { [EXPIRES_AT]: Long.fromNumber(expiresAt) }];
  return {
    type: 'PUT',
    condition: new Condition(RowExistenceExpectation.IGNORE, null),
    primaryKey: primaryKeyOf(key),
    attributeColumns,
  };
}

/** The change that deletes one key's row (absent rows are fine). */
export function deleteRowChange(key: string): BatchWriteRow {
  return {
    type: 'DELETE',
    condition: new Condition(RowExistenceExpectation.IGNORE, null),
    primaryKey: primaryKeyOf(key),
  };
}

// ---------------------------------------------------------------------------------------------
// Responses

function toNumber(value: ColumnValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'toNumber' in value) return value.toNumber();
  return undefined;
}

/** The store key a decoded row belongs to, or undefined for an absent row. */
export function storeKeyOfRow(row: DecodedRow): string | undefined {
  const pk = row.primaryKey?.find((c) => c.name === PK)?.value;
  const sk = row.primaryKey?.find((c) => c.name === SK)?.value;
  if (typeof pk !== 'string' || typeof sk !== 'string') return undefined;
  return sk === '!' ? pk : `${pk}${sk}`;
}

/** The latest value of each attribute column (maxVersions 1 returns one per column). */
export function columnsOf(row: DecodedRow | null | undefined): Map<string, ColumnValue> {
  const columns = new Map<string, ColumnValue>();
  for (const attribute of row?.attributes ?? []) {
    if (!columns.has(attribute.columnName))
      columns.set(attribute.columnName, attribute.columnValue);
  }
  return columns;
}

function parseJson(text: ColumnValue | undefined, what: string): unknown {
  if (typeof text !== 'string') {
    throw new Error(
      `TABLESTORE_BAD_ROW: ${what} is not a string column; was the table written by something else?`,
    );
  }
  return JSON.parse(text);
}

export type ValueRead = { present: false } | { present: true; value: unknown; expired: boolean };

/**
 * A value row as read: absent when the row (or its `v`) is missing; `expired` when its
 * `expiresAt` has passed (Tablestore keeps the row: reads treat it as absent).
 */
export function readValue(row: DecodedRow | null | undefined, now: number): ValueRead {
  const columns = columnsOf(row);
  if (!columns.has(VALUE)) return { present: false };
  const expiresAt = toNumber(columns.get(EXPIRES_AT)) ?? NO_EXPIRY;
  return { present: true, value: parseJson(columns.get(VALUE), VALUE), expired: expiresAt < now };
}

export type SlotRecordRead =
  | { exists: false }
  | { exists: true; sealed: true }
  | {
      exists: true;
      sealed: false;
      size: number;
      filled: number;
      slots: Map<number, unknown>;
    };

/** A slot record as read. */
export function readSlotRecord(row: DecodedRow | null | undefined): SlotRecordRead {
  const columns = columnsOf(row);
  if (columns.size === 0) return { exists: false };
  if (columns.has(SEALED)) return { exists: true, sealed: true };
  const slots = new Map<number, unknown>();
  for (const [column, value] of columns) {
    const slot = slotOfColumn(column);
    if (slot !== undefined) slots.set(slot, parseJson(value, column));
  }
  return {
    exists: true,
    sealed: false,
    size: toNumber(columns.get(SIZE)) ?? 0,
    filled: toNumber(columns.get(FILLED)) ?? slots.size,
    slots,
  };
}

/** `filled` as an UpdateRow with `AfterModify` returned it. */
export function filledAfterFill(row: DecodedRow | null | undefined): number {
  const filled = toNumber(columnsOf(row).get(FILLED));
  if (filled === undefined) {
    throw new Error(
      'TABLESTORE_BAD_RESPONSE: UpdateRow returned no "filled" counter; the table must be a Tablestore wide-column table (atomic counters need SDK 5.x and a server that supports them)',
    );
  }
  return filled;
}
