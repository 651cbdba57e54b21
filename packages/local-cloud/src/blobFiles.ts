import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Durability } from './database';

/**
 * Content-addressed blobs as files named by their SHA-256 under `<dataDir>/blobs`. A put writes
 * a temporary file and renames it into place, so a reader never sees half a blob; with `fsync`
 * durability the file is flushed before the rename.
 */
export interface BlobFiles {
  put(bytes: Uint8Array): string;
  /** The bytes, or undefined when no blob has that key. */
  get(key: string): Buffer | undefined;
}

export const BLOB_KEY = /^[0-9a-f]{64}$/;

export function createBlobFiles(dataDir: string, durability: Durability): BlobFiles {
  const dir = join(dataDir, 'blobs');
  mkdirSync(dir, { recursive: true });
  let counter = 0;
  return {
    put(bytes) {
      const key = createHash('sha256').update(bytes).digest('hex');
      const temp = join(dir, `.${key}.${process.pid}.${counter++}`);
      const fd = openSync(temp, 'w');
      try {
        writeSync(fd, bytes);
        if (durability === 'fsync') fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, join(dir, key));
      return key;
    },
    get(key) {
      if (!BLOB_KEY.test(key)) return undefined;
      try {
        return readFileSync(join(dir, key));
      } catch {
        return undefined;
      }
    },
  };
}
