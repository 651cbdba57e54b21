import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ShimError } from '../httpTransport';
import { type AwsResolvedCloud, dynamoClientOf, s3ClientOf } from './awsClients';
import { awsErrorCodeOf, awsErrorOf, retryThrottled } from './awsErrors';

/**
 * What `jointflow clouds bootstrap <id>` creates on AWS, idempotently: the store's table and the
 * blob bucket. Running it again on a bootstrapped account changes nothing and says so.
 */

export interface TableBootstrap {
  table: string;
  created: boolean;
  /** `enabled`: DynamoDB deletes expired items; `unsupported`: the endpoint has no TTL (dynalite). */
  ttl: 'enabled' | 'unsupported';
}

/**
 * Creates the table (string keys `pk` + `sk`, on-demand billing) unless it exists, waits until it
 * is ACTIVE and turns on TTL on `expiresAt` where the endpoint supports it. An existing table
 * with another key schema is refused (`AWS_TABLE_MISMATCH`), never changed.
 *
 * @example
 * await ensureDynamoTable(dynamoClientOf(cloud), cloud.table); // { created: true, ttl: 'enabled' }
 */
export async function ensureDynamoTable(
  client: DynamoDBClient,
  table: string,
  options: { maxWaitSeconds?: number } = {},
): Promise<TableBootstrap> {
  let created = false;
  const existing = await describeTable(client, table);
  if (existing === undefined) {
    try {
      await retryThrottled(() =>
        client.send(
          new CreateTableCommand({
            TableName: table,
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'sk', AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        ),
      );
      created = true;
    } catch (error) {
      // Another bootstrap created it meanwhile: that is the state we wanted.
      if ((error as Error).name !== 'ResourceInUseException') {
        throw awsErrorOf(error, `DynamoDB CreateTable ${table}`);
      }
    }
  } else {
    const keys = (existing.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).sort();
    if (keys.join(',') !== 'pk:HASH,sk:RANGE') {
      throw new ShimError(
        'AWS_TABLE_MISMATCH',
        `AWS_TABLE_MISMATCH: table ${table} exists with keys ${keys.join(', ')}; Jointflow needs string keys pk (partition) and sk (sort). Name another table in the clouds file ("table").`,
      );
    }
  }
  try {
    await waitUntilTableExists(
      { client, maxWaitTime: options.maxWaitSeconds ?? 300, minDelay: 1, maxDelay: 5 },
      { TableName: table },
    );
  } catch (error) {
    throw awsErrorOf(error, `waiting for DynamoDB table ${table} to become ACTIVE`);
  }
  return { table, created, ttl: await ensureTtl(client, table) };
}

async function describeTable(client: DynamoDBClient, table: string) {
  try {
    const res = await retryThrottled(() =>
      client.send(new DescribeTableCommand({ TableName: table })),
    );
    return res.Table;
  } catch (error) {
    if (awsErrorCodeOf(error) === 'AWS_NOT_FOUND') return undefined;
    throw awsErrorOf(error, `DynamoDB DescribeTable ${table}`);
  }
}

async function ensureTtl(client: DynamoDBClient, table: string): Promise<TableBootstrap['ttl']> {
  try {
    const res = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    const status = res.TimeToLiveDescription?.TimeToLiveStatus;
    const attribute = res.TimeToLiveDescription?.AttributeName;
    if ((status === 'ENABLED' || status === 'ENABLING') && attribute === 'expiresAt') {
      return 'enabled';
    }
    await retryThrottled(() =>
      client.send(
        new UpdateTimeToLiveCommand({
          TableName: table,
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        }),
      ),
    );
    return 'enabled';
  } catch (error) {
    // dynalite knows no UpdateTimeToLive; reads compare expiry themselves, so nothing breaks,
    // only expired items stay in the table.
    const name = (error as Error).name;
    if (name === 'UnknownOperationException' || name === 'UnknownOperation') return 'unsupported';
    throw awsErrorOf(error, `DynamoDB UpdateTimeToLive on ${table} (attribute expiresAt)`);
  }
}

/**
 * Creates the bucket unless this account already has it. A bucket name taken by another
 * account is refused with `AWS_BUCKET_TAKEN` (bucket names are global).
 *
 * @example
 * await ensureBucket(s3ClientOf(cloud), cloud.bucket, cloud.region); // { created: false }
 */
export async function ensureBucket(
  client: S3Client,
  bucket: string,
  region: string,
): Promise<{ bucket: string; created: boolean }> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return { bucket, created: false };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 403) {
      throw new ShimError(
        'AWS_BUCKET_TAKEN',
        `AWS_BUCKET_TAKEN: bucket ${bucket} exists but these credentials may not use it (another account owns it, or s3:ListBucket is missing); pick another "bucket" in the clouds file or grant access`,
        403,
      );
    }
    if (awsErrorCodeOf(error) !== 'AWS_NOT_FOUND' && status !== 404) {
      throw awsErrorOf(error, `S3 HeadBucket ${bucket}`);
    }
  }
  try {
    await retryThrottled(() =>
      client.send(
        new CreateBucketCommand({
          Bucket: bucket,
          // us-east-1 is the one region that refuses an explicit location constraint.
          ...(region !== 'us-east-1'
            ? {
                CreateBucketConfiguration: {
                  LocationConstraint: region as BucketLocationConstraint,
                },
              }
            : {}),
        }),
      ),
    );
    return { bucket, created: true };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'BucketAlreadyOwnedByYou') return { bucket, created: false };
    if (name === 'BucketAlreadyExists') {
      throw new ShimError(
        'AWS_BUCKET_TAKEN',
        `AWS_BUCKET_TAKEN: bucket name ${bucket} belongs to another account (bucket names are global); pick another "bucket" in the clouds file`,
      );
    }
    throw awsErrorOf(error, `S3 CreateBucket ${bucket} in ${region}`);
  }
}

/**
 * `jointflow clouds bootstrap <id>` for an AWS cloud: the table and the bucket, idempotently.
 * A cloud whose keys live on another cloud (`homeStore`) has nothing of its own to create.
 *
 * @example
 * const done = await bootstrapAwsStore(cloud); // { table: {…, created: true}, bucket: {…} }
 */
export async function bootstrapAwsStore(
  cloud: AwsResolvedCloud,
): Promise<{ table?: TableBootstrap; bucket?: { bucket: string; created: boolean } }> {
  if (cloud.homeStore !== undefined) return {};
  const dynamo = dynamoClientOf(cloud);
  const s3 = s3ClientOf(cloud);
  try {
    const table = await ensureDynamoTable(dynamo, cloud.table);
    const bucket = await ensureBucket(s3, cloud.bucket, cloud.region);
    return { table, bucket };
  } finally {
    dynamo.destroy();
    s3.destroy();
  }
}
