import type { ExampleWorkflow } from '../exampleWorkflow';

/** Joint-lambda's video analytics: split -> map(extract) -> process -> fan-in classify. */
export const workflow: ExampleWorkflow = {
  name: 'video-analytics',
  description:
    'Splits a generated clip into frames, extracts features per frame (gpu class), processes each into a descriptor, and classifies the clip at the fan-in.',
  sampleInput: { frames: 12, width: 32, height: 24, seed: 7 },
  nodes: [
    { kind: 'task', name: 'split', cloud: 'aws-local', memoryMb: 512 },
    { kind: 'map', name: 'frames', cloud: 'aws-local', items: 'frames' },
    { kind: 'task', name: 'extract', cloud: 'aliyun-local', functionClass: 'gpu', memoryMb: 1024 },
    { kind: 'task', name: 'process', cloud: 'aliyun-local' },
    { kind: 'join', name: 'classify', cloud: 'aws-local', fanOut: 'frames' },
  ],
  edges: [
    { id: 'split-frames', source: 'split', target: 'frames' },
    { id: 'frames-extract', source: 'frames', target: 'extract' },
    { id: 'extract-process', source: 'extract', target: 'process' },
    { id: 'process-classify', source: 'process', target: 'classify' },
  ],
};
