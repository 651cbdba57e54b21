import { type CloudProfile, defaultCloudProfiles, type WorkflowIR } from '@jointflow/ir';
import { startCentralized } from './centralized/centralizedSystem';
import type { CloudTopology, SystemUnderTest } from './chainRunner';
import { startPlainFloor } from './plainCluster';
import { startRestate } from './restate/restateSystem';

/** A system the suites can start, measure and stop. */
export interface SystemFactory {
  label: string;
  /** `floor`, `jointflow`, `centralized` or `restate`: what ratios are taken against. */
  family: 'floor' | 'jointflow' | 'centralized' | 'restate';
  fsync: boolean;
  start(workflows: readonly WorkflowIR[]): Promise<SystemUnderTest>;
}

export const benchClouds: CloudProfile[] = defaultCloudProfiles;

export const benchTopology: CloudTopology = {
  clouds: benchClouds.map((profile) => profile.id),
  latencyMs: (from, to) =>
    from === to ? 0 : (benchClouds.find((profile) => profile.id === from)?.latencyMs[to] ?? 0),
};

/** The baselines (everything but Jointflow), in the order tables list them. */
export function baselineFactories(): SystemFactory[] {
  return [
    {
      label: 'floor (plain processes)',
      family: 'floor',
      fsync: false,
      start: () => startPlainFloor(benchTopology),
    },
    {
      label: 'centralized (fsync)',
      family: 'centralized',
      fsync: true,
      start: () => startCentralized(benchTopology, true),
    },
    {
      label: 'centralized (no fsync)',
      family: 'centralized',
      fsync: false,
      start: () => startCentralized(benchTopology, false),
    },
    {
      label: 'Restate (defaults, fsync)',
      family: 'restate',
      fsync: true,
      start: (workflows) => startRestate(benchTopology, true, workflows),
    },
    {
      label: 'Restate (no fsync)',
      family: 'restate',
      fsync: false,
      start: (workflows) => startRestate(benchTopology, false, workflows),
    },
  ];
}
