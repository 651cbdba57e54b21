import type { WorkflowIR } from '@jointflow/ir';
import { benchTopology } from './benchClouds';
import { startCentralized } from './centralized/centralizedSystem';
import type { SystemUnderTest } from './chainRunner';
import { startInvokeFloor } from './invokeFloor';
import { startJointflow } from './jointflow/jointflowSystem';
import { startPlainFloor } from './plainCluster';
import { startRestate } from './restate/restateSystem';

/** A system the suites can start, measure and stop. */
export interface SystemFactory {
  label: string;
  /** `floor`, `jointflow`, `centralized` or `restate`: what ratios are taken against. */
  family: 'floor' | 'jointflow' | 'centralized' | 'restate';
  fsync: boolean;
  /**
   * A plain-process reference that skips the local clouds' invoke path (issue 12): reported in
   * its own rows, never the row a ratio is taken against.
   */
  reference: boolean;
  start(workflows: readonly WorkflowIR[]): Promise<SystemUnderTest>;
}

export { benchClouds, benchTopology } from './benchClouds';

/**
 * Every system, in the order tables list them: the floor, Jointflow, then the peers; the
 * plain-process references after the system they stand beside.
 */
export function systemFactories(): SystemFactory[] {
  return [
    {
      label: 'floor (fsync)',
      family: 'floor',
      fsync: true,
      reference: false,
      start: () => startInvokeFloor(benchTopology, true),
    },
    {
      label: 'floor (no fsync)',
      family: 'floor',
      fsync: false,
      reference: false,
      start: () => startInvokeFloor(benchTopology, false),
    },
    {
      label: 'floor, plain processes (reference)',
      family: 'floor',
      fsync: false,
      reference: true,
      start: () => startPlainFloor(benchTopology),
    },
    {
      label: 'Jointflow (fsync)',
      family: 'jointflow',
      fsync: true,
      reference: false,
      start: () => startJointflow(true),
    },
    {
      label: 'Jointflow (no fsync)',
      family: 'jointflow',
      fsync: false,
      reference: false,
      start: () => startJointflow(false),
    },
    {
      label: 'centralized (fsync)',
      family: 'centralized',
      fsync: true,
      reference: false,
      start: () => startCentralized(benchTopology, true, 'invoke-api'),
    },
    {
      label: 'centralized (no fsync)',
      family: 'centralized',
      fsync: false,
      reference: false,
      start: () => startCentralized(benchTopology, false, 'invoke-api'),
    },
    {
      label: 'centralized, plain workers (reference) (fsync)',
      family: 'centralized',
      fsync: true,
      reference: true,
      start: () => startCentralized(benchTopology, true, 'plain-workers'),
    },
    {
      label: 'Restate (defaults, fsync)',
      family: 'restate',
      fsync: true,
      reference: false,
      start: (workflows) => startRestate(benchTopology, true, workflows),
    },
    {
      label: 'Restate (no fsync)',
      family: 'restate',
      fsync: false,
      reference: false,
      start: (workflows) => startRestate(benchTopology, false, workflows),
    },
  ];
}
