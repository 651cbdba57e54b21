import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from '@jointflow/runtime';
import { ShimError } from '../httpTransport';
import { awsErrorCodeOf, awsErrorOf } from './awsErrors';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Content-addressed blobs in one S3 bucket: the object key is the SHA-256 (hex) of the bytes, so
 * a put is idempotent and a retried or duplicate put costs one PutObject and changes nothing.
 * One round trip per operation.
 *
 * @example
 * const blobs = createS3Blobs({ client: s3ClientOf(cloud), bucket: cloud.bucket });
 * const key = await blobs.put(new TextEncoder().encode('hello'));
 */
export function createS3Blobs(options: { client: S3Client; bucket: string }): BlobStore {
  const { client, bucket } = options;
  return {
    async put(bytes) {
      const key = createHash('sha256').update(bytes).digest('hex');
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: bytes,
            ContentType: 'application/octet-stream',
          }),
        );
      } catch (error) {
        throw awsErrorOf(error, `S3 PutObject ${key} in bucket ${bucket}`);
      }
      return key;
    },
    async get(key) {
      if (!SHA256_HEX.test(key)) {
        throw new ShimError(
          'BLOB_BAD_KEY',
          `BLOB_BAD_KEY: "${key}" is not a blob key (64 lower-case hex digits of SHA-256)`,
        );
      }
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (res.Body === undefined) throw new Error('S3 returned no body');
        return await res.Body.transformToByteArray();
      } catch (error) {
        if (awsErrorCodeOf(error) === 'AWS_NOT_FOUND' && (error as Error).name === 'NoSuchKey') {
          throw new ShimError(
            'BLOB_MISSING',
            `BLOB_MISSING: no blob ${key} in S3 bucket ${bucket} (deleted by a lifecycle rule, or written to another cloud's bucket)`,
            404,
          );
        }
        throw awsErrorOf(error, `S3 GetObject ${key} in bucket ${bucket}`);
      }
    },
  };
}
