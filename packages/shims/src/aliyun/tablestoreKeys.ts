/**
 * How a store key becomes a Tablestore primary key. The table has two string key columns:
 * `pk` (the partition key: the execution id) and `sk` (the rest of the key).
 *
 * A key is split at its first `/` or `#`. Unlike the DynamoDB layout, `sk` keeps the separator
 * (`exec/a#ckpt` → `exec` + `/a#ckpt`, `exec#closed` → `exec` + `#closed`), so two keys that
 * differ only in their separator never meet on one row, and a seal of `exec/` covers exactly
 * the keys under `exec/` (not `exec#closed`). A key with neither separator is a whole
 * partition key with `sk` = `!` (which cannot start a split key's `sk`).
 */

export const PK = 'pk';
export const SK = 'sk';
const WHOLE_KEY_SK = '!';

export interface TablestoreKey {
  pk: string;
  sk: string;
}

/** The primary key of `key`. */
export function splitStoreKey(key: string): TablestoreKey {
  const at = key.search(/[/#]/);
  if (at < 0) return { pk: key, sk: WHOLE_KEY_SK };
  return { pk: key.slice(0, at), sk: key.slice(at) };
}

/** The store key of a primary key (the inverse of `splitStoreKey`). */
export function joinStoreKey({ pk, sk }: TablestoreKey): string {
  return sk === WHOLE_KEY_SK ? pk : `${pk}${sk}`;
}

/**
 * The rows of every key that starts with `prefix`: one partition key and the `sk` range
 * `[start, end)`. `end` is the smallest string above every string that starts with `start`
 * (its last code point plus one; Tablestore compares strings byte-wise in UTF-8, which orders
 * code points the same way). A prefix without a separator cannot be a range of one partition:
 * `seal` is only ever given `<execution>/` or `<execution>#…`.
 */
export function prefixRange(prefix: string): { pk: string; start: string; end: string } {
  const { pk, sk } = splitStoreKey(prefix);
  if (sk === WHOLE_KEY_SK) {
    throw new Error(
      `TABLESTORE_BAD_PREFIX: "${prefix}" has no "/" or "#"; a sealed prefix is "<execution>/" or "<execution>#..."`,
    );
  }
  const codePoints = [...sk];
  const last = codePoints.pop() as string;
  const next = String.fromCodePoint((last.codePointAt(0) as number) + 1);
  return { pk, start: sk, end: `${codePoints.join('')}${next}` };
}

/** The column of slot `slot` of a slot record. */
export function slotColumn(slot: number): string {
  return `s_${slot}`;
}

/** The slot index of a slot column, or undefined for any other column. */
export function slotOfColumn(column: string): number | undefined {
  const match = /^s_(\d+)$/.exec(column);
  return match === null ? undefined : Number(match[1]);
}
