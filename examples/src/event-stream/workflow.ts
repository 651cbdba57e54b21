import type { ExampleWorkflow } from '../exampleWorkflow';

/**
 * Pheromone's event-stream case study: every execution is one ad event; `lookup` finds its
 * campaign and puts it into a one-second time window; each window runs `count` once, as an
 * execution of its own that many producer executions fed.
 */
export const workflow: ExampleWorkflow = {
  name: 'event-stream',
  description:
    'Ad events -> campaign lookup -> a 1 s time window -> count per campaign. Each run is one ad event; each window is a run of its own (fed by every event that arrived in that second), started when the window closes.',
  sampleInput: { ad: 'ad-17', user: 'u-4' },
  nodes: [
    { kind: 'task', name: 'lookup', cloud: 'aws-local' },
    {
      kind: 'trigger',
      name: 'perSecond',
      cloud: 'aws-local',
      trigger: { type: 'window', windowMs: 1000 },
      description: 'Collects the campaign of every ad event that arrives in the same second.',
    },
    { kind: 'task', name: 'count', cloud: 'aliyun-local' },
  ],
  edges: [
    { id: 'lookup-perSecond', source: 'lookup', target: 'perSecond' },
    { id: 'perSecond-count', source: 'perSecond', target: 'count' },
  ],
};
