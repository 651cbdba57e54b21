import type { ExampleWorkflow } from '../exampleWorkflow';

/**
 * Pheromone's parallel-sleep benchmark: a wide fan-out of sleeping functions, gathered by a batch
 * trigger (100 sleepers per run) instead of a join; a join collects the batches' tallies.
 * `npm run bench -- --suite=triggers` runs it 4,000 wide.
 */
export const workflow: ExampleWorkflow = {
  name: 'parallel-sleep',
  description:
    'Parallel sleep (Pheromone): plan fans out N sleepers, a batch trigger gathers them 100 at a time, tally counts each batch and done joins the tallies.',
  sampleInput: { sleepers: 8, sleepMs: 10 },
  nodes: [
    {
      kind: 'task',
      name: 'plan',
      cloud: 'aws-local',
      position: { x: 0, y: 120 },
      description: 'Lists the sleepers.',
    },
    {
      kind: 'map',
      name: 'sleepers',
      cloud: 'aws-local',
      items: 'sleepers',
      position: { x: 260, y: 120 },
      description: 'One branch per sleeper (4,000 in the benchmark).',
    },
    {
      kind: 'task',
      name: 'sleep',
      cloud: 'aws-local',
      memoryMb: 128,
      position: { x: 520, y: 120 },
      description: 'Sleeps sleepMs.',
    },
    {
      kind: 'trigger',
      name: 'gather',
      cloud: 'aws-local',
      fanOut: 'sleepers',
      trigger: { type: 'batch', size: 100 },
      position: { x: 780, y: 120 },
      description:
        'Batch trigger: one run per 100 sleepers, in sleeper order (the last may be short).',
    },
    {
      kind: 'task',
      name: 'tally',
      cloud: 'aws-local',
      position: { x: 1040, y: 120 },
      description: 'Counts one batch.',
    },
    {
      kind: 'join',
      name: 'done',
      cloud: 'aws-local',
      fanOut: 'gather',
      position: { x: 1300, y: 120 },
      description: 'Adds up the batches.',
    },
  ],
  edges: [
    { id: 'plan-sleepers', source: 'plan', target: 'sleepers' },
    { id: 'sleepers-sleep', source: 'sleepers', target: 'sleep' },
    { id: 'sleep-gather', source: 'sleep', target: 'gather' },
    { id: 'gather-tally', source: 'gather', target: 'tally' },
    { id: 'tally-done', source: 'tally', target: 'done' },
  ],
};
