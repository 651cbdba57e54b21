/**
 * The part of the `tablestore` SDK (5.6, plain JavaScript without typings) that the Tablestore
 * store uses, typed from the SDK's source (lib/client.js, lib/filter.js, lib/metadata.js,
 * lib/protocol/encoder.js and decoder.js). Only what is declared here may be called.
 */
declare module 'tablestore' {
  /** A 64-bit integer as the SDK reads it (int64-buffer's Int64LE). */
  export interface Int64 {
    toNumber(): number;
    toString(radix?: number): string;
  }

  export type PrimaryKeyValue = string | Int64 | Buffer | object;
  /** `[{ pk: 'a' }, { sk: 'b' }]`: one single-entry object per key column, in table order. */
  export type PrimaryKeyInput = Record<string, PrimaryKeyValue>[];
  export type ColumnValue = string | Int64 | Buffer | boolean | number;
  export type AttributeColumnsInput = Record<string, ColumnValue>[];

  export interface UpdateOfAttributeColumns {
    PUT?: AttributeColumnsInput;
    DELETE?: Record<string, Int64>[];
    DELETE_ALL?: string[];
    INCREMENT?: Record<string, Int64>[];
  }

  export interface ReturnContent {
    returnType: number;
    returnColumns?: string[];
  }

  class ColumnCondition {}
  class SingleColumnCondition extends ColumnCondition {
    constructor(
      columnName: string,
      columnValue: ColumnValue,
      comparator: number,
      passIfMissing?: boolean,
      latestVersionOnly?: boolean,
    );
    columnName: string;
    columnValue: ColumnValue;
    comparator: number;
    passIfMissing: boolean;
    latestVersionOnly: boolean;
  }
  class CompositeCondition extends ColumnCondition {
    constructor(combinator: number);
    addSubCondition(condition: ColumnCondition): void;
    combinator: number;
    sub_conditions: ColumnCondition[];
  }
  class Condition {
    constructor(rowExistenceExpectation: number, columnCondition?: ColumnCondition | null);
    rowExistenceExpectation: number;
    columnCondition: ColumnCondition | null;
  }

  const RowExistenceExpectation: { IGNORE: 0; EXPECT_EXIST: 1; EXPECT_NOT_EXIST: 2 };
  const ComparatorType: {
    EQUAL: number;
    NOT_EQUAL: number;
    GREATER_THAN: number;
    GREATER_EQUAL: number;
    LESS_THAN: number;
    LESS_EQUAL: number;
  };
  const LogicalOperator: { NOT: number; AND: number; OR: number };
  const ReturnType: { NONE: 0; Primarykey: 1; AfterModify: 2 };
  const Direction: { FORWARD: 'FORWARD'; BACKWARD: 'BACKWARD' };
  const Long: { fromNumber(n: number): Int64; fromString(s: string): Int64 };
  const INF_MIN: object;
  const INF_MAX: object;

  export interface GetRowParams {
    tableName: string;
    primaryKey: PrimaryKeyInput;
    maxVersions?: number;
    columnsToGet?: string[];
  }
  export interface PutRowParams {
    tableName: string;
    condition: Condition;
    primaryKey: PrimaryKeyInput;
    attributeColumns: AttributeColumnsInput;
    returnContent?: ReturnContent;
  }
  export interface UpdateRowParams {
    tableName: string;
    condition: Condition;
    primaryKey: PrimaryKeyInput;
    updateOfAttributeColumns: UpdateOfAttributeColumns[];
    returnContent?: ReturnContent;
  }
  export interface GetRangeParams {
    tableName: string;
    direction: 'FORWARD' | 'BACKWARD';
    inclusiveStartPrimaryKey: PrimaryKeyInput;
    exclusiveEndPrimaryKey: PrimaryKeyInput;
    maxVersions?: number;
    limit?: number;
    columnsToGet?: string[];
  }
  export interface BatchGetRowParams {
    tables: { tableName: string; primaryKey: PrimaryKeyInput[]; maxVersions?: number }[];
  }
  export type BatchWriteRow =
    | {
        type: 'PUT';
        condition: Condition;
        primaryKey: PrimaryKeyInput;
        attributeColumns: AttributeColumnsInput;
      }
    | { type: 'DELETE'; condition: Condition; primaryKey: PrimaryKeyInput; attributeColumns?: [] };
  export interface BatchWriteRowParams {
    tables: { tableName: string; rows: BatchWriteRow[] }[];
  }

  /** A row as the SDK's decoder returns it; `{}` when the row does not exist. */
  export interface DecodedRow {
    primaryKey?: { name: string; value: PrimaryKeyValue }[];
    attributes?: { columnName: string; columnValue: ColumnValue; timestamp?: Int64 }[];
  }
  export interface RowResponse {
    row: DecodedRow;
  }
  export interface GetRangeResponse {
    rows: DecodedRow[];
    nextStartPrimaryKey: { name: string; value: PrimaryKeyValue }[] | null;
  }
  export interface BatchRowResult {
    isOk: boolean;
    errorCode: string | null;
    errorMessage: string | null;
    tableName: string;
    primaryKey: { name: string; value: PrimaryKeyValue }[] | null;
    attributes: DecodedRow['attributes'] | null;
  }
  export interface BatchGetRowResponse {
    tables: BatchRowResult[][];
  }
  export interface BatchWriteRowResponse {
    tables: BatchRowResult[];
  }

  export interface CreateTableParams {
    tableMeta: {
      tableName: string;
      primaryKey: { name: string; type: 'STRING' | 'INTEGER' | 'BINARY' }[];
    };
    reservedThroughput: { capacityUnit: { read: number; write: number } };
    tableOptions: { timeToLive: number; maxVersions: number };
  }

  export interface ClientConfig {
    accessKeyId: string;
    secretAccessKey: string;
    stsToken?: string;
    endpoint: string;
    instancename: string;
    maxRetries?: number;
  }

  class Client {
    constructor(config: ClientConfig);
    getRow(params: GetRowParams): Promise<RowResponse>;
    putRow(params: PutRowParams): Promise<RowResponse>;
    updateRow(params: UpdateRowParams): Promise<RowResponse>;
    getRange(params: GetRangeParams): Promise<GetRangeResponse>;
    batchGetRow(params: BatchGetRowParams): Promise<BatchGetRowResponse>;
    batchWriteRow(params: BatchWriteRowParams): Promise<BatchWriteRowResponse>;
    createTable(params: CreateTableParams): Promise<object>;
    describeTable(params: { tableName: string }): Promise<{
      tableMeta?: { tableName?: string; primaryKey?: { name: string; type: number }[] };
      tableOptions?: { timeToLive?: number; maxVersions?: number };
    }>;
  }

  /** The SDK's request encoder (protobuf + plain buffer), used by the tests to check requests. */
  const encoder: { encode(operation: string, params: object): object };
  /** Reads a row in the plain-buffer format, as the decoder does for a response. */
  class PlainBufferInputStream {
    constructor(buffer: Uint8Array);
  }
  class PlainBufferCodedInputStream {
    constructor(stream: PlainBufferInputStream);
    readRow(): DecodedRow;
  }
  const PlainBufferBuilder: {
    serializeForPutRow(
      primaryKey: PrimaryKeyInput,
      attributeColumns: AttributeColumnsInput,
    ): Uint8Array;
  };

  export type { Client, ColumnCondition, CompositeCondition, Condition, SingleColumnCondition };

  /**
   * The SDK's `module.exports`. Node's ESM loader cannot see its properties as named exports
   * (they are assigned to an object, not to `exports`), so code imports the default.
   */
  const TableStore: {
    Client: typeof Client;
    Condition: typeof Condition;
    SingleColumnCondition: typeof SingleColumnCondition;
    CompositeCondition: typeof CompositeCondition;
    RowExistenceExpectation: typeof RowExistenceExpectation;
    ComparatorType: typeof ComparatorType;
    LogicalOperator: typeof LogicalOperator;
    ReturnType: typeof ReturnType;
    Direction: typeof Direction;
    Long: typeof Long;
    INF_MIN: typeof INF_MIN;
    INF_MAX: typeof INF_MAX;
    encoder: typeof encoder;
    PlainBufferInputStream: typeof PlainBufferInputStream;
    PlainBufferCodedInputStream: typeof PlainBufferCodedInputStream;
    PlainBufferBuilder: typeof PlainBufferBuilder;
  };
  export default TableStore;
}
