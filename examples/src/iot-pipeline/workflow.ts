import type { ExampleWorkflow } from '../exampleWorkflow';

/** Joint-lambda's IoT pipeline: a chain whose steps alternate between the two clouds. */
export const workflow: ExampleWorkflow = {
  name: 'iot-pipeline',
  description:
    'A chain of five steps alternating aws-local and aliyun-local on a ~1 KB batch of sensor readings: ingest, validate, calibrate, aggregate, alert.',
  sampleInput: { seed: 42, sensors: 5, readingsPerSensor: 8 },
  nodes: [
    { kind: 'task', name: 'ingest', cloud: 'aws-local' },
    { kind: 'task', name: 'validate', cloud: 'aliyun-local' },
    { kind: 'task', name: 'calibrate', cloud: 'aws-local' },
    { kind: 'task', name: 'aggregate', cloud: 'aliyun-local' },
    { kind: 'task', name: 'alert', cloud: 'aws-local' },
  ],
  edges: [
    { id: 'ingest-validate', source: 'ingest', target: 'validate' },
    { id: 'validate-calibrate', source: 'validate', target: 'calibrate' },
    { id: 'calibrate-aggregate', source: 'calibrate', target: 'aggregate' },
    { id: 'aggregate-alert', source: 'aggregate', target: 'alert' },
  ],
};
