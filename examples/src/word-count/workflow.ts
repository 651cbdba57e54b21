import type { ExampleWorkflow } from '../exampleWorkflow';

const text = [
  'The river ran fast after the storm, and the town watched the river rise.',
  'By morning the water had reached the old mill, where the miller kept his grain in high lofts.',
  'He had seen the river rise before; he knew the water would fall by evening, as it always had.',
  'The children of the town counted the boats that passed, and the boats were many that day.',
  'At noon the sun came out, the wind turned, and the river began, slowly, to fall.',
  'By evening the miller walked the bank and counted what the water had taken: a fence, a boat, a bridge.',
  'The town would build the bridge again; it had built the bridge before, after the last storm.',
  "Nobody in the town remembered a storm like this one, though the miller's father might have.",
].join(' ');

/** MapReduce word count: split into chunks, count each chunk, reduce the counts. */
export const workflow: ExampleWorkflow = {
  name: 'word-count',
  description:
    'MapReduce word count: split the text into chunks, count each chunk in parallel, merge and rank.',
  sampleInput: { text, chunks: 4 },
  nodes: [
    { kind: 'task', name: 'split', cloud: 'aws-local' },
    { kind: 'map', name: 'chunks', cloud: 'aws-local', items: 'pieces' },
    { kind: 'task', name: 'count', cloud: 'aws-local' },
    { kind: 'join', name: 'reduce', cloud: 'aws-local', fanOut: 'chunks' },
  ],
  edges: [
    { id: 'split-chunks', source: 'split', target: 'chunks' },
    { id: 'chunks-count', source: 'chunks', target: 'count' },
    { id: 'count-reduce', source: 'count', target: 'reduce' },
  ],
};
