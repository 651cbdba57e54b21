import { createRequire } from 'node:module';
import type { AttributeColumnsInput, DecodedRow, PrimaryKeyInput } from 'tablestore';
import { describe, expect, it } from 'vitest';
import { TableStore } from './aliyunClients';
import { isConditionFailed, providerCodeOf } from './aliyunErrors';
import {
  batchGetParams,
  deleteRowChange,
  encodeValue,
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
} from './tablestoreRequests';

/**
 * These tests check the requests this store builds by encoding them with the `tablestore`
 * SDK's own encoder and decoding the wire bytes (protobuf + plain buffer) with the SDK's own
 * protos, and check response parsing on rows the SDK's plain-buffer reader produced. They do
 * NOT show that Tablestore accepts or executes these requests as intended: no Tablestore
 * server or emulator ran (see the README).
 */

const require = createRequire(import.meta.url);

interface SingleFilter {
  comparator: number;
  columnName: string;
  columnValue: Uint8Array;
  filterIfMissing: boolean;
  latestVersionOnly: boolean;
}
interface FilterProtos {
  Filter: { decode(bytes: Uint8Array): { type: number; filter: Uint8Array } };
  CompositeColumnValueFilter: {
    decode(bytes: Uint8Array): {
      combinator: number;
      subFilters: { type: number; filter: Uint8Array }[];
    };
  };
  SingleColumnValueFilter: { decode(bytes: Uint8Array): SingleFilter };
}
interface MainProtos {
  Error: { encode(message: { code: string; message: string }): { finish(): Uint8Array } };
}
const protos = require('tablestore/lib/protocol/tablestore_compiled_proto.js') as {
  filter: { proto: FilterProtos };
  main: { proto: MainProtos };
};
const filterProtos = protos.filter.proto;

interface EncodedWrite {
  tableName: string;
  row?: Uint8Array;
  rowChange?: Uint8Array;
  condition: { rowExistence: number; columnCondition?: Uint8Array };
  returnContent?: { returnType: number; returnColumnNames?: string[] };
}

function encode(operation: string, params: object): EncodedWrite {
  return TableStore.encoder.encode(operation, params) as EncodedWrite;
}

/** The column conditions of an encoded write, as Tablestore receives them. */
function conditionsOf(encoded: EncodedWrite): SingleFilter[] {
  const bytes = encoded.condition.columnCondition;
  if (bytes === undefined) return [];
  const filter = filterProtos.Filter.decode(bytes);
  if (filter.type === 1) return [filterProtos.SingleColumnValueFilter.decode(filter.filter)];
  return filterProtos.CompositeColumnValueFilter.decode(filter.filter).subFilters.map((sub) =>
    filterProtos.SingleColumnValueFilter.decode(sub.filter),
  );
}

/** A row in Tablestore's plain-buffer format, read back with the SDK's reader (what responses decode to). */
function rowAsReturned(primaryKey: PrimaryKeyInput, attributes: AttributeColumnsInput): DecodedRow {
  const bytes = TableStore.PlainBufferBuilder.serializeForPutRow(primaryKey, attributes);
  const input = new TableStore.PlainBufferInputStream(bytes);
  return new TableStore.PlainBufferCodedInputStream(input).readRow();
}

const Long = TableStore.Long;
const { ComparatorType, RowExistenceExpectation } = TableStore;

describe('Tablestore requests (encoded with the SDK)', () => {
  it('put-if-absent is a PutRow expecting the row not to exist, with value and expiry', () => {
    const params = putIfAbsentParams('jf', 'e1/a#ckpt', { out: 1 }, NO_EXPIRY);
    const encoded = encode('putRow', params);
    expect(encoded.condition.rowExistence).toBe(RowExistenceExpectation.EXPECT_NOT_EXIST);
    expect(conditionsOf(encoded)).toEqual([]);
    const row = new TableStore.PlainBufferCodedInputStream(
      new TableStore.PlainBufferInputStream(encoded.row as Uint8Array),
    ).readRow();
    expect(row.primaryKey).toEqual([
      { name: 'pk', value: 'e1' },
      { name: 'sk', value: '/a#ckpt' },
    ]);
    expect(readValue(row, Date.now())).toEqual({
      present: true,
      value: { out: 1 },
      expired: false,
    });
  });

  it('the expired-row overwrite expects the row with expiresAt < now (and fails when it is missing)', () => {
    const encoded = encode('putRow', putOverExpiredParams('jf', 'e1/k', 1, 5000, 4000));
    expect(encoded.condition.rowExistence).toBe(RowExistenceExpectation.EXPECT_EXIST);
    const [condition] = conditionsOf(encoded);
    expect(condition?.columnName).toBe('expiresAt');
    expect(condition?.comparator).toBe(ComparatorType.LESS_THAN);
    expect(condition?.filterIfMissing).toBe(true);
  });

  it('a slot fill is one conditional UpdateRow: slot absent, not sealed, size absent or equal; counts with INCREMENT', () => {
    const params = fillSlotParams('jf', 'e1/join:agg', 3, 8, { ref: { inline: 7 } });
    expect(params.updateOfAttributeColumns).toEqual([
      { PUT: [{ s_3: '{"ref":{"inline":7}}' }, { size: Long.fromNumber(8) }] },
      { INCREMENT: [{ filled: Long.fromNumber(1) }] },
    ]);
    const encoded = encode('updateRow', params);
    expect(encoded.condition.rowExistence).toBe(RowExistenceExpectation.IGNORE);
    expect(encoded.returnContent).toEqual({ returnType: 2, returnColumnNames: ['filled'] });
    const conditions = conditionsOf(encoded);
    expect(conditions.map((c) => [c.columnName, c.comparator, c.filterIfMissing])).toEqual([
      ['s_3', ComparatorType.EQUAL, false],
      ['sealed', ComparatorType.EQUAL, false],
      ['size', ComparatorType.EQUAL, false],
    ]);
    expect(conditions.every((c) => c.latestVersionOnly)).toBe(true);
    // "Absent" compares with values the columns never hold: '' (slots are JSON text) and 0 (sealed is 1).
    // Plain buffer: VT_STRING (3) with length 0; VT_INTEGER (0) with 0.
    expect([...(conditions[0]?.columnValue ?? [])]).toEqual([3, 0, 0, 0, 0]);
    expect([...(conditions[1]?.columnValue ?? [])]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('reads, ranges and batches use the same primary keys', () => {
    expect(getRowParams('jf', 'e1/a#ckpt')).toEqual({
      tableName: 'jf',
      primaryKey: [{ pk: 'e1' }, { sk: '/a#ckpt' }],
      maxVersions: 1,
    });
    const range = prefixRangeParams('jf', 'e1/');
    expect(range.inclusiveStartPrimaryKey).toEqual([{ pk: 'e1' }, { sk: '/' }]);
    expect(range.exclusiveEndPrimaryKey).toEqual([{ pk: 'e1' }, { sk: '0' }]);
    // A seal reads only what tells values from slot records, never the payloads.
    expect(range.columnsToGet).toEqual(['expiresAt', 'size', 'sealed']);
    expect(prefixRangeParams('jf', 'e1/', '/m').inclusiveStartPrimaryKey).toEqual([
      { pk: 'e1' },
      { sk: '/m' },
    ]);
    expect(() => encode('getRange', range)).not.toThrow();
    const batch = batchGetParams('jf', ['e1/a', 'e2#b']);
    expect(batch.tables[0]?.primaryKey).toEqual([
      [{ pk: 'e1' }, { sk: '/a' }],
      [{ pk: 'e2' }, { sk: '#b' }],
    ]);
    expect(() => encode('batchGetRow', batch)).not.toThrow();
  });

  it('seals a value into the tombstone and a slot record into { sealed }, dropping its slots', () => {
    // As GetRange returns them with columnsToGet [expiresAt, size, sealed].
    const value = rowAsReturned(
      [{ pk: 'e1' }, { sk: '/a#ckpt' }],
      [{ expiresAt: Long.fromNumber(NO_EXPIRY) }],
    );
    const slots = rowAsReturned(
      [{ pk: 'e1' }, { sk: '/join:agg' }],
      [{ size: Long.fromNumber(2) }],
    );
    const sealedBefore = rowAsReturned(
      [{ pk: 'e1' }, { sk: '/join:b' }],
      [{ expiresAt: Long.fromNumber(5) }, { sealed: Long.fromNumber(1) }],
    );
    expect(sealRowChange(sealedBefore, 't', 99)).toMatchObject({
      attributeColumns: [{ sealed: Long.fromNumber(1) }, { expiresAt: Long.fromNumber(99) }],
    });
    const sealedValue = sealRowChange(value, { tombstone: true }, 99);
    const sealedSlots = sealRowChange(slots, { tombstone: true }, 99);
    expect(sealedValue).toMatchObject({
      type: 'PUT',
      primaryKey: [{ pk: 'e1' }, { sk: '/a#ckpt' }],
      attributeColumns: [{ v: '{"tombstone":true}' }, { expiresAt: Long.fromNumber(99) }],
    });
    expect(sealedSlots).toMatchObject({
      type: 'PUT',
      primaryKey: [{ pk: 'e1' }, { sk: '/join:agg' }],
      attributeColumns: [{ sealed: Long.fromNumber(1) }, { expiresAt: Long.fromNumber(99) }],
    });
    const rows = [sealedValue, sealedSlots, deleteRowChange('e1/x')].flatMap((r) => (r ? [r] : []));
    expect(() => encode('batchWriteRow', { tables: [{ tableName: 'jf', rows }] })).not.toThrow();
  });

  it('refuses keys whose parts exceed Tablestore’s 1 KB primary-key column limit', () => {
    expect(() => getRowParams('jf', `e/${'n'.repeat(1023)}`)).not.toThrow();
    expect(() => getRowParams('jf', `e/${'n'.repeat(1024)}`)).toThrow(/TABLESTORE_KEY_TOO_LONG/);
  });

  it('refuses values over the 2 MB column limit with an actionable code', () => {
    expect(() => encodeValue('x'.repeat(2 * 1024 * 1024), 'e1/a')).toThrow(
      /TABLESTORE_VALUE_TOO_LARGE/,
    );
    expect(encodeValue(undefined, 'e1/a')).toBe('null');
  });
});

describe('Tablestore responses (rows read with the SDK)', () => {
  it('treats a missing row as absent and an expired one as expired', () => {
    expect(readValue({}, 1000)).toEqual({ present: false });
    const row = rowAsReturned(
      [{ pk: 'e' }, { sk: '/k' }],
      [{ v: '"old"' }, { expiresAt: Long.fromNumber(500) }],
    );
    expect(readValue(row, 1000)).toEqual({ present: true, value: 'old', expired: true });
    expect(readValue(row, 400)).toEqual({ present: true, value: 'old', expired: false });
  });

  it('reads a slot record: slots by index, size, filled; sealed; absent', () => {
    const row = rowAsReturned(
      [{ pk: 'e' }, { sk: '/join:j' }],
      [
        { s_0: '{"ref":1}' },
        { s_2: '{"skip":true}' },
        { size: Long.fromNumber(3) },
        { filled: Long.fromNumber(2) },
      ],
    );
    const record = readSlotRecord(row);
    expect(record).toEqual({
      exists: true,
      sealed: false,
      size: 3,
      filled: 2,
      slots: new Map<number, unknown>([
        [0, { ref: 1 }],
        [2, { skip: true }],
      ]),
    });
    const sealed = rowAsReturned(
      [{ pk: 'e' }, { sk: '/join:j' }],
      [{ sealed: Long.fromNumber(1) }, { expiresAt: Long.fromNumber(9) }],
    );
    expect(readSlotRecord(sealed)).toEqual({ exists: true, sealed: true });
    expect(readSlotRecord({})).toEqual({ exists: false });
  });

  it('takes filled from the UpdateRow AfterModify row, and refuses a response without it', () => {
    const returned = rowAsReturned(
      [{ pk: 'e' }, { sk: '/join:j' }],
      [{ filled: Long.fromNumber(5) }],
    );
    expect(filledAfterFill(returned)).toBe(5);
    expect(() => filledAfterFill({})).toThrow(/TABLESTORE_BAD_RESPONSE/);
  });
});

describe('Tablestore errors (through the SDK client’s own error extraction)', () => {
  function sdkError(status: number, code: string, message: string): unknown {
    const body = Buffer.from(protos.main.proto.Error.encode({ code, message }).finish());
    const resp: { httpResponse: object; error?: unknown } = {
      httpResponse: { statusCode: status, body, headers: { 'x-ots-requestid': 'r1' } },
    };
    const extract = (TableStore.Client.prototype as unknown as { extractError(r: object): void })
      .extractError;
    extract(resp);
    return resp.error;
  }

  it('finds the OTS code in the error the SDK builds (its code is the HTTP status)', () => {
    const error = sdkError(403, 'OTSConditionCheckFail', 'Condition check failed.');
    expect((error as { code: unknown }).code).toBe(403);
    expect(providerCodeOf(error)).toBe('OTSConditionCheckFail');
    expect(isConditionFailed(error)).toBe(true);
    expect(isConditionFailed(sdkError(503, 'OTSServerBusy', 'Server is busy.'))).toBe(false);
  });
});
