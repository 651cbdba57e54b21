import { createRequire } from 'node:module';
import type {
  AttributeColumnsInput,
  BatchGetRowParams,
  BatchWriteRowParams,
  DecodedRow,
  GetRangeParams,
  GetRowParams,
  PrimaryKeyInput,
  PutRowParams,
  UpdateRowParams,
} from 'tablestore';
import { describe, expect, it } from 'vitest';
import { TableStore, type TablestoreClient } from './aliyunClients';
import { createTablestoreStore } from './tablestoreStore';

/**
 * THE STORE'S OWN CONTROL FLOW, NOT TABLESTORE: a scripted client answers each request the way
 * Tablestore's documentation says it answers (rows in the SDK's plain-buffer format, errors
 * through the SDK client's own error extraction), and the tests count the requests the store
 * sends and check what it makes of the answers: one request on the happy paths, exactly one
 * read for a loser, the expired-row overwrite, duplicate and sealed slot fills, retries of the
 * rows a batch refused, paging of a seal. Whether Tablestore really answers so is not tested
 * anywhere (no Tablestore server or emulator ran; see the README).
 */

const require = createRequire(import.meta.url);
const protos = require('tablestore/lib/protocol/tablestore_compiled_proto.js') as {
  main: {
    proto: { Error: { encode(m: { code: string; message: string }): { finish(): Uint8Array } } };
  };
};

function sdkError(status: number, code: string, message: string): unknown {
  const body = Buffer.from(protos.main.proto.Error.encode({ code, message }).finish());
  const resp: { httpResponse: object; error?: unknown } = {
    httpResponse: { statusCode: status, body, headers: {} },
  };
  (TableStore.Client.prototype as unknown as { extractError(r: object): void }).extractError(resp);
  return resp.error;
}
const conditionFailed = () => sdkError(403, 'OTSConditionCheckFail', 'Condition check failed.');

function row(key: [string, string], attributes: AttributeColumnsInput): DecodedRow {
  const pk: PrimaryKeyInput = [{ pk: key[0] }, { sk: key[1] }];
  const bytes = TableStore.PlainBufferBuilder.serializeForPutRow(pk, attributes);
  return new TableStore.PlainBufferCodedInputStream(
    new TableStore.PlainBufferInputStream(bytes),
  ).readRow();
}
const Long = TableStore.Long;

type Call =
  | { op: 'getRow'; params: GetRowParams }
  | { op: 'putRow'; params: PutRowParams }
  | { op: 'updateRow'; params: UpdateRowParams }
  | { op: 'getRange'; params: GetRangeParams }
  | { op: 'batchGetRow'; params: BatchGetRowParams }
  | { op: 'batchWriteRow'; params: BatchWriteRowParams };

/** A client that records each request and returns the next scripted answer (or throws it). */
function scripted(answers: unknown[]) {
  const calls: Call[] = [];
  const next = async (call: Call) => {
    calls.push(call);
    if (answers.length === 0) throw new Error(`unscripted ${call.op}`);
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const client = {
    getRow: (params: GetRowParams) => next({ op: 'getRow', params }),
    putRow: (params: PutRowParams) => next({ op: 'putRow', params }),
    updateRow: (params: UpdateRowParams) => next({ op: 'updateRow', params }),
    getRange: (params: GetRangeParams) => next({ op: 'getRange', params }),
    batchGetRow: (params: BatchGetRowParams) => next({ op: 'batchGetRow', params }),
    batchWriteRow: (params: BatchWriteRowParams) => next({ op: 'batchWriteRow', params }),
  } as unknown as TablestoreClient;
  const store = createTablestoreStore({
    client: async () => client,
    table: 'jf',
    now: () => 10_000,
  });
  return { store, calls, ops: () => calls.map((c) => c.op) };
}

describe('Tablestore store control flow (scripted answers, not Tablestore)', () => {
  it('put-if-absent: one PutRow when it wins; the loser reads once and adopts the winner', async () => {
    const won = scripted([{ row: {} }]);
    expect(await won.store.putIfAbsent('e/a#ckpt', { out: 1 })).toEqual({ won: true });
    expect(won.ops()).toEqual(['putRow']);

    const lost = scripted([
      conditionFailed(),
      { row: row(['e', '/a#ckpt'], [{ v: '{"out":2}' }, { expiresAt: Long.fromNumber(9e15) }]) },
    ]);
    expect(await lost.store.putIfAbsent('e/a#ckpt', { out: 1 })).toEqual({
      won: false,
      existing: { out: 2 },
    });
    expect(lost.ops()).toEqual(['putRow', 'getRow']);
  });

  it('put-if-absent over an expired row replaces it only while it is still expired', async () => {
    const expired = row(['e', '/k'], [{ v: '"old"' }, { expiresAt: Long.fromNumber(5_000) }]);
    const s = scripted([conditionFailed(), { row: expired }, { row: {} }]);
    expect(await s.store.putIfAbsent('e/k', 'new', { ttlMs: 1_000 })).toEqual({ won: true });
    expect(s.ops()).toEqual(['putRow', 'getRow', 'putRow']);
    const overwrite = s.calls[2]?.params as PutRowParams;
    expect(overwrite.condition.rowExistenceExpectation).toBe(1);
    expect(overwrite.attributeColumns).toEqual([
      { v: '"new"' },
      { expiresAt: Long.fromNumber(11_000) },
    ]);
  });

  it('fill: one UpdateRow returns the counter; a duplicate reads once; a sealed record refuses', async () => {
    const first = scripted([{ row: row(['e', '/join:j'], [{ filled: Long.fromNumber(3) }]) }]);
    expect(await first.store.fillSlot('e/join:j', 2, 3, { ref: 1 })).toEqual({
      filled: 3,
      size: 3,
      newlyFilled: true,
    });
    expect(first.ops()).toEqual(['updateRow']);

    const record = row(
      ['e', '/join:j'],
      [{ s_2: '{"ref":1}' }, { size: Long.fromNumber(3) }, { filled: Long.fromNumber(3) }],
    );
    const duplicate = scripted([conditionFailed(), { row: record }]);
    expect(await duplicate.store.fillSlot('e/join:j', 2, 3, { ref: 1 })).toEqual({
      filled: 3,
      size: 3,
      newlyFilled: false,
    });
    expect(duplicate.ops()).toEqual(['updateRow', 'getRow']);
    // The loser reads only what decides its outcome, not the other slots.
    expect((duplicate.calls[1]?.params as GetRowParams | undefined)?.columnsToGet).toEqual([
      's_2',
      'size',
      'filled',
      'sealed',
    ]);

    const sealedRow = row(['e', '/join:j'], [{ sealed: Long.fromNumber(1) }]);
    const sealed = scripted([conditionFailed(), { row: sealedRow }]);
    expect(await sealed.store.fillSlot('e/join:j', 0, 3, 1)).toEqual({ sealed: true });

    const mismatch = scripted([conditionFailed(), { row: record }]);
    await expect(mismatch.store.fillSlot('e/join:j', 1, 4, 1)).rejects.toThrow(
      /TABLESTORE_SLOT_SIZE_MISMATCH/,
    );
  });

  it('readSlots: slot values in order, empty for an absent or sealed record', async () => {
    const record = row(['e', '/join:j'], [{ s_1: '"b"' }, { size: Long.fromNumber(3) }]);
    expect(await scripted([{ row: record }]).store.readSlots('e/join:j')).toEqual([
      undefined,
      'b',
      undefined,
    ]);
    expect(await scripted([{ row: {} }]).store.readSlots('e/join:j')).toEqual([]);
  });

  it('getMany: one BatchGetRow, rows Tablestore refused are asked again, expired values are absent', async () => {
    const ok = (r: DecodedRow) => ({
      isOk: true,
      errorCode: null,
      errorMessage: null,
      tableName: 'jf',
      primaryKey: r.primaryKey ?? null,
      attributes: r.attributes ?? null,
    });
    const refused = {
      isOk: false,
      errorCode: 'OTSServerBusy',
      errorMessage: 'busy',
      tableName: 'jf',
      primaryKey: null,
      attributes: null,
    };
    const a = row(['e', '/a'], [{ v: '1' }, { expiresAt: Long.fromNumber(9e15) }]);
    const old = row(['e', '/c'], [{ v: '3' }, { expiresAt: Long.fromNumber(1) }]);
    const b = row(['e', '/b'], [{ v: '2' }, { expiresAt: Long.fromNumber(9e15) }]);
    const s = scripted([{ tables: [[ok(a), refused, ok(old), ok({})]] }, { tables: [[ok(b)]] }]);
    expect(await s.store.getMany(['e/a', 'e/b', 'e/c', 'e/d', 'e/a'])).toEqual([
      1,
      2,
      undefined,
      undefined,
      1,
    ]);
    expect(s.ops()).toEqual(['batchGetRow', 'batchGetRow']);
    const retry = s.calls[1]?.params as BatchGetRowParams;
    expect(retry.tables[0]?.primaryKey).toEqual([[{ pk: 'e' }, { sk: '/b' }]]);
  });

  it('seal pages through the prefix and overwrites each row: values to the tombstone, slot records to sealed', async () => {
    // GetRange reads only expiresAt, size and sealed.
    const value = row(['e', '/a#ckpt'], [{ expiresAt: Long.fromNumber(9e15) }]);
    const slots = row(['e', '/join:j'], [{ size: Long.fromNumber(2) }]);
    const s = scripted([
      {
        rows: [value],
        nextStartPrimaryKey: [
          { name: 'pk', value: 'e' },
          { name: 'sk', value: '/j' },
        ],
      },
      { tables: [{ isOk: true }] },
      { rows: [slots], nextStartPrimaryKey: null },
      { tables: [{ isOk: true }] },
    ]);
    await s.store.seal('e/', { closed: true }, { ttlMs: 5_000 });
    expect(s.ops()).toEqual(['getRange', 'batchWriteRow', 'getRange', 'batchWriteRow']);
    const secondPage = s.calls[2]?.params as GetRangeParams;
    expect(secondPage.inclusiveStartPrimaryKey).toEqual([{ pk: 'e' }, { sk: '/j' }]);
    const writes = [s.calls[1], s.calls[3]].map(
      (c) => (c?.params as BatchWriteRowParams | undefined)?.tables[0]?.rows[0],
    );
    expect(writes.map((w) => (w?.type === 'PUT' ? w.attributeColumns : undefined))).toEqual([
      [{ v: '{"closed":true}' }, { expiresAt: Long.fromNumber(15_000) }],
      [{ sealed: Long.fromNumber(1) }, { expiresAt: Long.fromNumber(15_000) }],
    ]);
  });

  it('reports other errors with a stable code and never retries a conditional write by itself', async () => {
    const s = scripted([sdkError(403, 'OTSAuthFailed', 'bad key')]);
    await expect(s.store.putIfAbsent('e/a', 1)).rejects.toMatchObject({
      code: 'ALIYUN_ACCESS_DENIED',
    });
    expect(s.ops()).toEqual(['putRow']);
  });
});
