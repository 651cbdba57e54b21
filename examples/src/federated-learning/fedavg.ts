import type { ExampleWorkflow } from '../exampleWorkflow';
import { type DataCenter, threeCloudCenters, twoCloudCenters } from './nebulafl';

/**
 * The FedAvg baseline (issue 13) on the same data: a central server broadcasts the model to
 * every owner of every data center, waits for all of them (a join of the three centers' joins)
 * and averages by sample count, once per round of a loop.
 */
export function fedAvgWorkflow(
  dataCenters: readonly DataCenter[],
  name: string,
  file: string,
  onClouds: string,
  cloudsFile?: string,
): ExampleWorkflow {
  const centers = dataCenters.map((c, index) => ({ ...c, index }));
  return {
    name,
    file,
    ...(cloudsFile === undefined ? {} : { cloudsFile }),
    sourceDir: 'federated-learning',
    codeFiles: Object.fromEntries(centers.map((c) => [`${c.id}Train`, 'train'])),
    description: `Synchronous FedAvg with one central aggregator over the same three data centers (on ${onClouds}) and data as nebulafl.json.`,
    sampleInput: { seed: 42, rounds: 3 },
    nodes: [
      { kind: 'task', name: 'setup', cloud: 'aws-local' },
      { kind: 'task', name: 'broadcast', cloud: 'aws-local' },
      ...centers.flatMap((c) => [
        {
          kind: 'map' as const,
          name: `${c.id}Owners`,
          cloud: c.cloud,
          items: 'tasks',
        },
        {
          kind: 'task' as const,
          name: `${c.id}Train`,
          cloud: c.cloud,
          memoryMb: 512,
          expensive: true,
        },
        { kind: 'join' as const, name: `${c.id}Collect`, cloud: c.cloud, fanOut: `${c.id}Owners` },
      ]),
      { kind: 'join', name: 'aggregate', cloud: 'aws-local', fanOut: 'broadcast' },
      { kind: 'loop', name: 'rounds', cloud: 'aws-local', maxIterations: 1000 },
      { kind: 'task', name: 'report', cloud: 'aws-local' },
    ],
    edges: [
      { id: 'setup-broadcast', source: 'setup', target: 'broadcast' },
      ...centers.flatMap((c) => [
        {
          id: `broadcast-${c.id}Owners`,
          source: 'broadcast',
          target: `${c.id}Owners`,
          // Only this center's jobs travel to it (one model per owner), not every center's.
          mapping: `{ "tasks": [tasks[center = ${c.index}]] }`,
        },
        { id: `${c.id}Owners-${c.id}Train`, source: `${c.id}Owners`, target: `${c.id}Train` },
        { id: `${c.id}Train-${c.id}Collect`, source: `${c.id}Train`, target: `${c.id}Collect` },
        { id: `${c.id}Collect-aggregate`, source: `${c.id}Collect`, target: 'aggregate' },
      ]),
      { id: 'aggregate-rounds', source: 'aggregate', target: 'rounds' },
      {
        id: 'rounds-broadcast',
        source: 'rounds',
        target: 'broadcast',
        guard: 'round < config.rounds',
        label: 'next round',
      },
      { id: 'rounds-report', source: 'rounds', target: 'report' },
    ],
  };
}

/** The same data centers as nebulafl.ts; the central server sits in data center a. */
export const workflow = fedAvgWorkflow(
  twoCloudCenters,
  'fedavg',
  'federated-learning/fedavg.json',
  'two clouds',
);

/** The same on three clouds: `jointflow run <it> --clouds examples/clouds/three-local.json`. */
export const threeCloudWorkflow = fedAvgWorkflow(
  threeCloudCenters,
  'fedavg-3-clouds',
  'federated-learning/three-clouds/fedavg.json',
  'three clouds',
  'clouds/three-local.json',
);
