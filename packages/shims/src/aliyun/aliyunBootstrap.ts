import type { CreateTableParams } from 'tablestore';
import {
  type AliyunResolvedCloud,
  credentialSourceOf,
  type OssClient,
  ossClient,
  type TablestoreClient,
  tablestoreClient,
  tablestoreEndpointOf,
} from './aliyunClients';
import { aliyunErrorOf, providerCodeOf } from './aliyunErrors';
import { PK, SK } from './tablestoreKeys';

/**
 * Creates what a real Aliyun cloud with its own store needs before the first deploy,
 * idempotently: the Tablestore table and the OSS bucket (`jointflow clouds bootstrap`).
 * WRITTEN AGAINST THE SDKs' DOCUMENTED APIs, NEVER RUN: no Tablestore or OSS stand-in exists.
 */

/** The table the store expects: string keys `pk` + `sk`, one version per column, no table TTL. */
export function tablestoreTableSpec(table: string): CreateTableParams {
  return {
    tableMeta: {
      tableName: table,
      primaryKey: [
        { name: PK, type: 'STRING' },
        { name: SK, type: 'STRING' },
      ],
    },
    // On-demand (pay per request) instances take 0 reserved capacity.
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    // Expiry is per item (`expiresAt`, read as absent once passed), never table-wide: a table
    // TTL would drop the checkpoints of a long-running execution.
    tableOptions: { timeToLive: -1, maxVersions: 1 },
  };
}

export interface TablestoreBootstrap {
  table: string;
  created: boolean;
}

/**
 * Creates the Tablestore table unless it exists (then checks that its primary key is `pk`,
 * `sk`). A new table takes a short while before it accepts reads and writes; the SDK's retry
 * of `OTSTableNotReady` covers the first requests.
 */
export async function ensureTablestoreTable(
  client: TablestoreClient,
  table: string,
): Promise<TablestoreBootstrap> {
  try {
    await client.createTable(tablestoreTableSpec(table));
    return { table, created: true };
  } catch (error) {
    if (providerCodeOf(error) !== 'OTSObjectAlreadyExist') {
      throw aliyunErrorOf(error, `Tablestore CreateTable ${table}`);
    }
  }
  let described: Awaited<ReturnType<TablestoreClient['describeTable']>>;
  try {
    described = await client.describeTable({ tableName: table });
  } catch (error) {
    throw aliyunErrorOf(error, `Tablestore DescribeTable ${table}`);
  }
  const keys = described.tableMeta?.primaryKey?.map((k) => k.name) ?? [];
  if (keys.join(',') !== `${PK},${SK}`) {
    throw new Error(
      `ALIYUN_TABLE_MISMATCH: Tablestore table "${table}" exists with primary key (${keys.join(', ')}); Jointflow needs (pk STRING, sk STRING): name another table in the clouds file`,
    );
  }
  return { table, created: false };
}

export interface OssBucketBootstrap {
  bucket: string;
  created: boolean;
}

/** Creates the OSS bucket (private) unless this account already has it. */
export async function ensureOssBucket(
  client: OssClient,
  bucket: string,
): Promise<OssBucketBootstrap> {
  try {
    await client.getBucketInfo(bucket);
    return { bucket, created: false };
  } catch (error) {
    if (providerCodeOf(error) !== 'NoSuchBucket') {
      throw aliyunErrorOf(error, `OSS GetBucketInfo ${bucket}`);
    }
  }
  try {
    await client.putBucket(bucket, { acl: 'private' });
    return { bucket, created: true };
  } catch (error) {
    if (providerCodeOf(error) === 'BucketAlreadyExists') {
      throw new Error(
        `ALIYUN_BUCKET_TAKEN: OSS bucket "${bucket}" belongs to another account (bucket names are global); choose another name in the clouds file`,
      );
    }
    throw aliyunErrorOf(error, `OSS PutBucket ${bucket}`);
  }
}

/**
 * Bootstraps the store of an Aliyun cloud that has its own (`tablestore` and `bucket` set), with
 * credentials from the default chain. A cloud with `homeStore` has nothing to create.
 *
 * @example
 * const { table, bucket } = await bootstrapAliyunStore(cloud);
 */
export async function bootstrapAliyunStore(
  cloud: AliyunResolvedCloud,
): Promise<{ table?: TablestoreBootstrap; bucket?: OssBucketBootstrap }> {
  const credentials = await credentialSourceOf(cloud).get();
  const out: { table?: TablestoreBootstrap; bucket?: OssBucketBootstrap } = {};
  if (cloud.tablestore !== undefined) {
    const { instance, table, endpoint } = cloud.tablestore;
    const client = tablestoreClient(
      credentials,
      instance,
      tablestoreEndpointOf(cloud.region, instance, endpoint),
    );
    out.table = await ensureTablestoreTable(client, table);
  }
  if (cloud.bucket !== undefined) {
    const client = ossClient(credentials, cloud.region, cloud.bucket, cloud.endpoints.oss);
    out.bucket = await ensureOssBucket(client, cloud.bucket);
  }
  return out;
}
