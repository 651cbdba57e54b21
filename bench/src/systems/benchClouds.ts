import { type CloudProfile, defaultCloudProfiles } from '@jointflow/ir';
import { startLocalClouds } from '@jointflow/local-cloud';
import type { CloudTopology } from './chainRunner';

/** The clouds every system runs on: the default local cloud profiles. */
export const benchClouds: CloudProfile[] = defaultCloudProfiles;

/** The same clouds as the baselines see them: ids and one-way latency from the profiles. */
export const benchTopology: CloudTopology = {
  clouds: benchClouds.map((profile) => profile.id),
  latencyMs: (from, to) =>
    from === to ? 0 : (benchClouds.find((profile) => profile.id === from)?.latencyMs[to] ?? 0),
};

/**
 * The local clouds every system on the invoke path runs on (Jointflow, the centralized baseline,
 * the floor): fresh processes, the bench's profiles, the given durability.
 */
export function startBenchLocalClouds(dataDir: string, fsync: boolean) {
  return startLocalClouds({
    dataDir,
    durability: fsync ? 'fsync' : 'os',
    profiles: benchClouds,
    logs: 'ignore',
    // One warm sandbox per deployed function, as on Lambda: the default cap of 6 would evict
    // and cold-start the steps of a 10-step chain on every run.
    maxWorkersPerCloud: 64,
  });
}
