import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LocalClouds,
  type StartLocalCloudsOptions,
  startLocalClouds,
} from '@jointflow/local-cloud';
import { afterAll, beforeAll } from 'vitest';

/** Real local clouds for one API test file, in a directory of their own. */
export interface TestLocalClouds {
  local: LocalClouds;
  /** The throwaway directory (the clouds' data is under `clouds/`). */
  dir: string;
  /** Stops the clouds and removes the directory. */
  stop(): Promise<void>;
}

/**
 * Starts the two default local clouds as API tests want them: a throwaway directory, fsync off
 * (`os` durability), two workers per cloud, no modelled cold start, async retries after 50 ms,
 * logs silenced. `options` adds to or overrides these (e.g. `supervise`).
 *
 * @example
 * beforeAll(async () => { clouds = await startTestLocalClouds('jf-api-windows-'); });
 * afterAll(() => clouds?.stop());
 */
export async function startTestLocalClouds(
  prefix: string,
  options: Partial<StartLocalCloudsOptions> = {},
): Promise<TestLocalClouds> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const local = await startLocalClouds({
      dataDir: join(dir, 'clouds'),
      durability: 'os',
      maxWorkersPerCloud: 2,
      behaviour: { coldStartMs: 0, asyncRetryDelayMs: 50 },
      logs: 'ignore',
      ...options,
    });
    return {
      local,
      dir,
      async stop() {
        await local.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Real local clouds for the enclosing `describe` (or the whole file at its top level): starts them
 * in a `beforeAll` (`startTestLocalClouds(prefix, options)`) and stops them in an `afterAll`.
 * Returns a getter for the started clouds that throws when they did not start.
 *
 * @example
 * describe('with real local clouds', () => {
 *   const localClouds = useTestLocalClouds('jf-cancel-');
 *   it('…', async () => {
 *     const h = await startHarness({ clouds: localClouds().clouds.map((c) => c.shim) });
 *   });
 * });
 */
export function useTestLocalClouds(
  prefix: string,
  options: Partial<StartLocalCloudsOptions> = {},
): () => LocalClouds {
  let clouds: TestLocalClouds | undefined;
  beforeAll(async () => {
    clouds = await startTestLocalClouds(prefix, options);
  });
  afterAll(async () => {
    await clouds?.stop();
  });
  return () => {
    if (clouds === undefined) throw new Error('the local clouds did not start');
    return clouds.local;
  };
}
