import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { defaultCloudProfiles } from '@jointflow/ir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsStandIns, startAwsStandIns } from '../standIns';
import { type AwsResolvedCloud, s3ClientOf } from './awsClients';
import { bootstrapAwsStore, ensureBucket } from './bootstrap';
import { createS3Blobs } from './s3Blobs';

/** S3 blobs and bucket bootstrap with the real SDK client against s3rver (standIns.ts). */

let standIns: AwsStandIns;
let s3: S3Client;

beforeAll(async () => {
  standIns = await startAwsStandIns();
  s3 = s3ClientOf({ region: 'us-east-1', emulate: true, endpoints: { s3: standIns.s3 } });
});

afterAll(async () => {
  s3?.destroy();
  await standIns?.stop();
});

describe('ensureBucket on s3rver', () => {
  it('ensureBucket creates once, then finds it', async () => {
    expect(await ensureBucket(s3, 'jf-bootstrap', 'us-east-1')).toEqual({
      bucket: 'jf-bootstrap',
      created: true,
    });
    expect(await ensureBucket(s3, 'jf-bootstrap', 'us-east-1')).toEqual({
      bucket: 'jf-bootstrap',
      created: false,
    });
  });
});

describe('bootstrapAwsStore on dynalite + s3rver', () => {
  it('creates the table and the bucket once; a cloud with a home store elsewhere creates nothing', async () => {
    const profile = defaultCloudProfiles[0];
    if (profile === undefined) throw new Error('no default profile');
    const cloud: AwsResolvedCloud = {
      id: 'aws',
      provider: 'aws',
      region: 'us-east-1',
      table: 'jf-bootstrapped',
      bucket: 'jf-bootstrapped-blobs',
      functionRole: 'arn:aws:iam::123456789012:role/jf',
      endpoints: { dynamodb: standIns.dynamodb, s3: standIns.s3 },
      emulate: true,
      profile: { ...profile, id: 'aws' },
    };
    expect(await bootstrapAwsStore(cloud)).toEqual({
      table: { table: 'jf-bootstrapped', created: true, ttl: 'unsupported' },
      bucket: { bucket: 'jf-bootstrapped-blobs', created: true },
    });
    expect(await bootstrapAwsStore(cloud)).toEqual({
      table: { table: 'jf-bootstrapped', created: false, ttl: 'unsupported' },
      bucket: { bucket: 'jf-bootstrapped-blobs', created: false },
    });
    expect(await bootstrapAwsStore({ ...cloud, homeStore: 'other' })).toEqual({});
  });
});

describe('S3 blobs on s3rver', () => {
  it('puts content-addressed blobs and gets them back byte for byte', async () => {
    await ensureBucket(s3, 'jf-blobs', 'us-east-1');
    const blobs = createS3Blobs({ client: s3, bucket: 'jf-blobs' });
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    const key = await blobs.put(bytes);
    expect(key).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await blobs.put(bytes)).toBe(key);
    expect(Buffer.from(await blobs.get(key)).equals(Buffer.from(bytes))).toBe(true);
    const empty = await blobs.put(new Uint8Array(0));
    expect((await blobs.get(empty)).byteLength).toBe(0);
    await expect(blobs.get('0'.repeat(64))).rejects.toMatchObject({ code: 'BLOB_MISSING' });
    await expect(blobs.get('../etc')).rejects.toMatchObject({ code: 'BLOB_BAD_KEY' });
    const missingBucket = createS3Blobs({ client: s3, bucket: 'jf-no-bucket' });
    await expect(missingBucket.put(bytes)).rejects.toMatchObject({ code: 'AWS_NOT_FOUND' });
  });
});
