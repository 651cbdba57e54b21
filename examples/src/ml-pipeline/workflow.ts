import type { ExampleWorkflow } from '../exampleWorkflow';

/**
 * Pheromone's ML pipeline: resize, four redundant replicas of a classifier (one a straggler),
 * and a redundant k-of-n trigger that answers with the average of the first 3 of 4.
 */
export const workflow: ExampleWorkflow = {
  name: 'ml-pipeline',
  description:
    'Image classification with redundant replicas: resize the picture, ask four replicas of the classifier (replica 3 is slow), average the first 3 answers (a 3-of-4 trigger) and report which replicas won.',
  sampleInput: { shape: 'ring', width: 48, height: 48, seed: 7, size: 8, slowMs: 1000 },
  nodes: [
    {
      kind: 'task',
      name: 'resize',
      cloud: 'aws-local',
      position: { x: 0, y: 120 },
      description: 'Draws the picture and box-filters it down to 8 x 8; one copy per replica.',
    },
    {
      kind: 'map',
      name: 'replicas',
      cloud: 'aws-local',
      items: 'replicas',
      maxItems: 16,
      position: { x: 260, y: 120 },
      description: 'Sends the image to every replica of the classifier at once.',
    },
    {
      kind: 'task',
      name: 'classify',
      cloud: 'aliyun-local',
      position: { x: 520, y: 120 },
      description: 'One replica of the classifier (replica 3 answers about 1 s late).',
    },
    {
      kind: 'trigger',
      name: 'vote',
      cloud: 'aws-local',
      fanOut: 'replicas',
      trigger: { type: 'k-of-n', k: 3, n: 4 },
      position: { x: 780, y: 120 },
      description:
        'Fires on the first 3 of the 4 answers and averages them; the late one is dropped.',
    },
  ],
  edges: [
    { id: 'resize-replicas', source: 'resize', target: 'replicas' },
    { id: 'replicas-classify', source: 'replicas', target: 'classify' },
    { id: 'classify-vote', source: 'classify', target: 'vote' },
  ],
};
