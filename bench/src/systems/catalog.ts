import type { WorkflowIR } from '@jointflow/ir';
import { benchTopology } from './benchClouds';
import { startCentralized } from './centralized/centralizedSystem';
import type { SystemUnderTest } from './chainRunner';
import { startJointflow } from './jointflow/jointflowSystem';
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

export { benchClouds, benchTopology } from './benchClouds';

/** Every system, in the order tables list them: the floor, Jointflow, then the peers. */
export function systemFactories(): SystemFactory[] {
  return [
    {
      label: 'floor (plain processes)',
      family: 'floor',
      fsync: false,
      start: () => startPlainFloor(benchTopology),
    },
    {
      label: 'Jointflow (fsync)',
      family: 'jointflow',
      fsync: true,
      start: () => startJointflow(true),
    },
    {
      label: 'Jointflow (no fsync)',
      family: 'jointflow',
      fsync: false,
      start: () => startJointflow(false),
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
