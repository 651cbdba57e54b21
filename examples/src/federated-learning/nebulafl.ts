import type { ExampleWorkflow } from '../exampleWorkflow';
import { MEMORY_TIERS } from './state';

/** A data center: its letter (the step names' prefix) and the cloud its steps run on. */
export interface DataCenter {
  id: 'a' | 'b' | 'c';
  cloud: string;
}

/**
 * The default setup's three data centers: two on the local clouds' AWS side, one on Aliyun's
 * (`jointflow up` and `jointflow run` start two clouds unless a clouds file names more).
 */
export const twoCloudCenters: DataCenter[] = [
  { id: 'a', cloud: 'aws-local' },
  { id: 'b', cloud: 'aliyun-local' },
  { id: 'c', cloud: 'aws-local' },
];

/** One data center per cloud of examples/clouds/three-local.json. */
export const threeCloudCenters: DataCenter[] = [
  { id: 'a', cloud: 'aws-local' },
  { id: 'b', cloud: 'aliyun-local' },
  { id: 'c', cloud: 'gcp-local' },
];

/** Canvas grid of the designer (a step box is 180 x 64). */
const COLUMN = 240;
const ROW = 220;

/**
 * NebulaFL (issue 13): per data center, the reward strategy selects owners, a map trains them,
 * and a join merges their updates asynchronously by version; the model then rotates to the
 * next data center, across clouds. Inside the map a choice sends each job to the training step
 * with the memory the reward picked for it (`memoryMb` is a step's setting, so each tier is a
 * step of its own; both fill the same slot of the merge). A loop repeats the rotation for `rounds` rounds.
 */
export function nebulaFlWorkflow(
  centers: readonly DataCenter[],
  name: string,
  file: string,
  onClouds: string,
  cloudsFile?: string,
): ExampleWorkflow {
  return {
    name,
    file,
    ...(cloudsFile === undefined ? {} : { cloudsFile }),
    sourceDir: 'federated-learning',
    codeFiles: Object.fromEntries(
      centers.flatMap((c) => [
        [`${c.id}Select`, 'select'],
        [`${c.id}Train`, 'train'],
        [`${c.id}TrainLarge`, 'train'],
        [`${c.id}Merge`, 'merge'],
      ]),
    ),
    description: `NebulaFL across three data centers on ${onClouds}: reward-guided owner and memory selection, asynchronous version-weighted merge per data center, model rotation between data centers as a loop.`,
    sampleInput: { seed: 42, rounds: 3 },
    // One row per data center (its two training steps one above the other), the loop on the
    // right: dagre would put all 22 steps in one long line.
    nodes: [
      { kind: 'task', name: 'setup', cloud: 'aws-local', position: { x: 0, y: ROW + 45 } },
      ...centers.flatMap((c, i) => {
        const y = i * ROW;
        return [
          {
            kind: 'task' as const,
            name: `${c.id}Select`,
            cloud: c.cloud,
            position: { x: COLUMN, y: y + 45 },
          },
          {
            kind: 'map' as const,
            name: `${c.id}Owners`,
            cloud: c.cloud,
            items: 'tasks',
            position: { x: 2 * COLUMN, y: y + 45 },
          },
          {
            kind: 'choice' as const,
            name: `${c.id}Tier`,
            cloud: c.cloud,
            position: { x: 3 * COLUMN, y: y + 45 },
          },
          {
            kind: 'task' as const,
            name: `${c.id}Train`,
            cloud: c.cloud,
            memoryMb: MEMORY_TIERS.small,
            expensive: true,
            position: { x: 4 * COLUMN, y },
          },
          {
            kind: 'task' as const,
            name: `${c.id}TrainLarge`,
            cloud: c.cloud,
            memoryMb: MEMORY_TIERS.large,
            expensive: true,
            position: { x: 4 * COLUMN, y: y + 90 },
          },
          {
            kind: 'join' as const,
            name: `${c.id}Merge`,
            cloud: c.cloud,
            fanOut: `${c.id}Owners`,
            position: { x: 5 * COLUMN, y: y + 45 },
          },
        ];
      }),
      {
        kind: 'task',
        name: 'evaluate',
        cloud: 'aws-local',
        position: { x: 6 * COLUMN, y: 2 * ROW + 45 },
      },
      {
        kind: 'loop',
        name: 'rotate',
        cloud: 'aws-local',
        maxIterations: 1000,
        position: { x: 6 * COLUMN, y: ROW + 45 },
      },
      {
        kind: 'task',
        name: 'report',
        cloud: 'aws-local',
        position: { x: 7 * COLUMN, y: ROW + 45 },
      },
    ],
    edges: [
      { id: 'setup-aSelect', source: 'setup', target: 'aSelect' },
      ...centers.flatMap((c) => [
        { id: `${c.id}Select-${c.id}Owners`, source: `${c.id}Select`, target: `${c.id}Owners` },
        { id: `${c.id}Owners-${c.id}Tier`, source: `${c.id}Owners`, target: `${c.id}Tier` },
        {
          id: `${c.id}Tier-${c.id}TrainLarge`,
          source: `${c.id}Tier`,
          target: `${c.id}TrainLarge`,
          guard: `memoryMb > ${MEMORY_TIERS.small}`,
          label: 'large memory',
        },
        { id: `${c.id}Tier-${c.id}Train`, source: `${c.id}Tier`, target: `${c.id}Train` },
        { id: `${c.id}Train-${c.id}Merge`, source: `${c.id}Train`, target: `${c.id}Merge` },
        {
          id: `${c.id}TrainLarge-${c.id}Merge`,
          source: `${c.id}TrainLarge`,
          target: `${c.id}Merge`,
        },
      ]),
      { id: 'aMerge-bSelect', source: 'aMerge', target: 'bSelect', label: 'rotate to b' },
      { id: 'bMerge-cSelect', source: 'bMerge', target: 'cSelect', label: 'rotate to c' },
      { id: 'cMerge-evaluate', source: 'cMerge', target: 'evaluate' },
      { id: 'evaluate-rotate', source: 'evaluate', target: 'rotate' },
      {
        id: 'rotate-aSelect',
        source: 'rotate',
        target: 'aSelect',
        guard: 'round < config.rounds',
        label: 'next round',
      },
      { id: 'rotate-report', source: 'rotate', target: 'report' },
    ],
  };
}

export const workflow = nebulaFlWorkflow(
  twoCloudCenters,
  'nebulafl',
  'federated-learning/nebulafl.json',
  'two clouds',
);

/** The same on three clouds: `jointflow run <it> --clouds examples/clouds/three-local.json`. */
export const threeCloudWorkflow = nebulaFlWorkflow(
  threeCloudCenters,
  'nebulafl-3-clouds',
  'federated-learning/three-clouds/nebulafl.json',
  'three clouds',
  'clouds/three-local.json',
);
