import type { ExampleWorkflow } from '../exampleWorkflow';

/** Joint-lambda's Monte Carlo pi: a map over branches, each sampling, then a fan-in sum. */
export const workflow: ExampleWorkflow = {
  name: 'monte-carlo-pi',
  description:
    'Estimates pi: plan splits the samples over branches, each branch samples with a PRNG seeded by its index, estimate sums the counts.',
  sampleInput: { samples: 200_000, branches: 16 },
  nodes: [
    { kind: 'task', name: 'plan', cloud: 'aws-local' },
    { kind: 'map', name: 'branches', cloud: 'aws-local', items: 'tasks' },
    { kind: 'task', name: 'sample', cloud: 'aliyun-local', memoryMb: 512 },
    { kind: 'join', name: 'estimate', cloud: 'aws-local', fanOut: 'branches' },
  ],
  edges: [
    { id: 'plan-branches', source: 'plan', target: 'branches' },
    { id: 'branches-sample', source: 'branches', target: 'sample' },
    { id: 'sample-estimate', source: 'sample', target: 'estimate' },
  ],
};
