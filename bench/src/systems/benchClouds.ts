import { type CloudProfile, defaultCloudProfiles } from '@jointflow/ir';
import type { CloudTopology } from './chainRunner';

/** The clouds every system runs on: the default local cloud profiles. */
export const benchClouds: CloudProfile[] = defaultCloudProfiles;

/** The same clouds as the baselines see them: ids and one-way latency from the profiles. */
export const benchTopology: CloudTopology = {
  clouds: benchClouds.map((profile) => profile.id),
  latencyMs: (from, to) =>
    from === to ? 0 : (benchClouds.find((profile) => profile.id === from)?.latencyMs[to] ?? 0),
};
