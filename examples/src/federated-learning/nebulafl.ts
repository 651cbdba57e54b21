import type { ExampleWorkflow } from '../exampleWorkflow';

/** The three data centers: two on the default local clouds' AWS side, one on Aliyun's. */
const centers = [
  { id: 'a', cloud: 'aws-local' },
  { id: 'b', cloud: 'aliyun-local' },
  { id: 'c', cloud: 'aws-local' },
] as const;

/**
 * NebulaFL (issue 13): per data center, the reward strategy selects owners, a map trains them,
 * and a join merges their updates asynchronously by version; the model then rotates to the
 * next data center, across clouds. A loop repeats the rotation for `rounds` rounds.
 */
export const workflow: ExampleWorkflow = {
  name: 'nebulafl',
  file: 'federated-learning/nebulafl.json',
  sourceDir: 'federated-learning',
  codeFiles: Object.fromEntries(
    centers.flatMap((c) => [
      [`${c.id}Select`, 'select'],
      [`${c.id}Train`, 'train'],
      [`${c.id}Merge`, 'merge'],
    ]),
  ),
  description:
    'NebulaFL across three data centers on two clouds: reward-guided owner selection, asynchronous version-weighted merge per data center, model rotation between data centers as a loop.',
  sampleInput: { seed: 42, rounds: 3 },
  nodes: [
    { kind: 'task', name: 'setup', cloud: 'aws-local' },
    ...centers.flatMap((c) => [
      { kind: 'task' as const, name: `${c.id}Select`, cloud: c.cloud },
      { kind: 'map' as const, name: `${c.id}Owners`, cloud: c.cloud, items: 'tasks' },
      {
        kind: 'task' as const,
        name: `${c.id}Train`,
        cloud: c.cloud,
        memoryMb: 512,
        expensive: true,
      },
      { kind: 'join' as const, name: `${c.id}Merge`, cloud: c.cloud, fanOut: `${c.id}Owners` },
    ]),
    { kind: 'task', name: 'evaluate', cloud: 'aws-local' },
    { kind: 'loop', name: 'rotate', cloud: 'aws-local', maxIterations: 1000 },
    { kind: 'task', name: 'report', cloud: 'aws-local' },
  ],
  edges: [
    { id: 'setup-aSelect', source: 'setup', target: 'aSelect' },
    ...centers.flatMap((c) => [
      { id: `${c.id}Select-${c.id}Owners`, source: `${c.id}Select`, target: `${c.id}Owners` },
      { id: `${c.id}Owners-${c.id}Train`, source: `${c.id}Owners`, target: `${c.id}Train` },
      { id: `${c.id}Train-${c.id}Merge`, source: `${c.id}Train`, target: `${c.id}Merge` },
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
