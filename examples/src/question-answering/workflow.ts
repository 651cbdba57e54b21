import type { ExampleWorkflow } from '../exampleWorkflow';

/** Joint-lambda's question answering: sort -> map(infer), plus a fan-in that merges the rankings. */
export const workflow: ExampleWorkflow = {
  name: 'question-answering',
  description:
    'Generates and sorts a corpus, scores each shard against the question with BM25 in parallel, and merges the best documents.',
  sampleInput: {
    question: 'which telescope shows a comet in the night sky',
    documents: 48,
    shards: 6,
    seed: 11,
  },
  nodes: [
    { kind: 'task', name: 'sort', cloud: 'aws-local' },
    { kind: 'map', name: 'shards', cloud: 'aws-local', items: 'shards' },
    { kind: 'task', name: 'infer', cloud: 'aliyun-local', functionClass: 'gpu', memoryMb: 1024 },
    { kind: 'join', name: 'answer', cloud: 'aws-local', fanOut: 'shards' },
  ],
  edges: [
    { id: 'sort-shards', source: 'sort', target: 'shards' },
    { id: 'shards-infer', source: 'shards', target: 'infer' },
    { id: 'infer-answer', source: 'infer', target: 'answer' },
  ],
};
