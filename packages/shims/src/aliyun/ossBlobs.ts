import { createHash } from 'node:crypto';
import type { BlobStore } from '@jointflow/runtime';
import type { OssClient } from './aliyunClients';
import { aliyunErrorOf, providerCodeOf } from './aliyunErrors';

/**
 * Content-addressed blobs on OSS with `ali-oss` (written against its documented API; NEVER RUN
 * AGAINST AN OSS SERVER: no emulator exists, see the README). The object name is the SHA-256
 * hex of the bytes, as on every cloud. One PutObject per put (with `x-oss-forbid-overwrite`,
 * so an object already there is kept: same name, same bytes), one GetObject per get, whose
 * bytes are checked against the name.
 */

export interface OssBlobsOptions {
  client: () => Promise<OssClient>;
  /** Names the store in errors (`OSS bucket <b> on cloud <id>`). */
  label: string;
}

/** The object name of `bytes`: the SHA-256 hex of the bytes. */
export function blobKeyOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The request options of a put: never overwrite (content-addressed: an existing object is identical). */
export function putOptions(): { headers: Record<string, string>; mime: string } {
  return {
    headers: { 'x-oss-forbid-overwrite': 'true' },
    mime: 'application/octet-stream',
  };
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The runtime's `BlobStore` on one OSS bucket (see the file comment; never run against OSS).
 *
 * @example
 * const blobs = createOssBlobs({ client: clientPerCredentials(source, (c) => ossClient(c, region, bucket)), label: 'OSS bucket b' });
 * const key = await blobs.put(bytes); // sha256 hex
 */
export function createOssBlobs(options: OssBlobsOptions): BlobStore {
  return {
    async put(bytes) {
      const key = blobKeyOf(bytes);
      const client = await options.client();
      try {
        await client.put(
          key,
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          putOptions(),
        );
      } catch (error) {
        // Already stored: the name is the hash of these very bytes.
        if (providerCodeOf(error) !== 'FileAlreadyExists') {
          throw aliyunErrorOf(error, `PutObject ${key} on ${options.label}`);
        }
      }
      return key;
    },

    async get(key) {
      if (!SHA256_HEX.test(key)) {
        throw new Error(`OSS_BLOB_KEY_INVALID: "${key}" is not a SHA-256 hex blob key`);
      }
      const client = await options.client();
      let content: Buffer;
      try {
        content = (await client.get(key)).content;
      } catch (error) {
        throw aliyunErrorOf(error, `GetObject ${key} on ${options.label}`);
      }
      const bytes = new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
      if (blobKeyOf(bytes) !== key) {
        throw new Error(
          `OSS_BLOB_CORRUPT: object ${key} on ${options.label} does not hash to its name; delete it and run again`,
        );
      }
      return bytes;
    },
  };
}
