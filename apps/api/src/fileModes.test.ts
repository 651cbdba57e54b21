import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainGraph, startHarness } from './testing/apiHarness';
import { memoryClouds, recordingEngine } from './testing/memoryCloud';

const modeOf = (path: string) => statSync(path).mode & 0o777;

/**
 * The API's home holds the token, the master key that signs every ingest secret, and the
 * database of every workflow's inputs and results: other users of the machine read none of it.
 */
describe("the API's home", () => {
  it('is 0700 and its token, key and database files are 0600', async () => {
    const h = await startHarness({ clouds: memoryClouds(), engine: recordingEngine() });
    try {
      // A write, so SQLite has its write-ahead log and shared-memory files too.
      await h.client.createWorkflow('chain', chainGraph);
      expect(modeOf(h.home)).toBe(0o700);
      for (const file of [
        'token',
        'master.key',
        'jointflow.db',
        'jointflow.db-wal',
        'jointflow.db-shm',
      ])
        expect([file, modeOf(join(h.home, file))]).toEqual([file, 0o600]);
    } finally {
      await h.close();
    }
  });
});
