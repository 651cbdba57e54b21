import type { ExampleWorkflow } from '../exampleWorkflow';

const numbers = [
  842, 17, 503, 291, 77, 660, 935, 118, 402, 256, 731, 9, 588, 344, 999, 63, 470, 212, 815, 137,
  624, 381, 27, 906, 549, 702, 185, 433, 868, 311, 54, 777, 240, 690, 158, 523, 396, 12, 958, 611,
  77, 402,
];

/**
 * Pheromone's MapReduce sort: mappers emit records to reducers by key range through a dynamic
 * group trigger (the shuffle); each reducer sorts its range; a join concatenates the ranges.
 */
export const workflow: ExampleWorkflow = {
  name: 'mapreduce-sort',
  description:
    'MapReduce sort of the numbers in a text: split them into chunks, mappers send each number to the reducer of its key range (a dynamic group trigger), reducers sort their range, merge concatenates the ranges.',
  sampleInput: { text: numbers.join(' '), mappers: 4, reducers: 3 },
  nodes: [
    {
      kind: 'task',
      name: 'split',
      cloud: 'aws-local',
      position: { x: 0, y: 120 },
      description: 'Cuts the input into chunks and the value range into key ranges.',
    },
    {
      kind: 'map',
      name: 'mappers',
      cloud: 'aws-local',
      items: 'chunks',
      position: { x: 260, y: 120 },
      description: 'One mapper per chunk.',
    },
    {
      kind: 'task',
      name: 'mapper',
      cloud: 'aliyun-local',
      position: { x: 520, y: 120 },
      description: "Emits each number under its range's group key, group:<range>.",
    },
    {
      kind: 'trigger',
      name: 'shuffle',
      cloud: 'aws-local',
      fanOut: 'mappers',
      trigger: { type: 'group', prefix: 'group:' },
      position: { x: 780, y: 120 },
      description: 'When every mapper has committed, fires one reducer per range that got records.',
    },
    {
      kind: 'task',
      name: 'reduce',
      cloud: 'aws-local',
      position: { x: 1040, y: 120 },
      description: 'Sorts one range.',
    },
    {
      kind: 'join',
      name: 'merge',
      cloud: 'aws-local',
      fanOut: 'shuffle',
      position: { x: 1300, y: 120 },
      description: 'Concatenates the sorted ranges in range order.',
    },
  ],
  edges: [
    { id: 'split-mappers', source: 'split', target: 'mappers' },
    { id: 'mappers-mapper', source: 'mappers', target: 'mapper' },
    { id: 'mapper-shuffle', source: 'mapper', target: 'shuffle' },
    { id: 'shuffle-reduce', source: 'shuffle', target: 'reduce' },
    { id: 'reduce-merge', source: 'reduce', target: 'merge' },
  ],
};
