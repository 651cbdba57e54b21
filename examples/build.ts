/**
 * Generates `examples/<name>.json` from `examples/src/<name>/workflow.ts` and the step files
 * beside it: every task, join and trigger node takes its code from `<node>.ts` (a join or a
 * trigger without a file runs no code: its output is what it collected). Run it after editing a
 * step: `npx tsx examples/build.ts`. A test fails when a JSON file is out of date.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { GraphInput } from '@jointflow/ir';
import { workflow as eventStream } from './src/event-stream/workflow';
import type { ExampleWorkflow } from './src/exampleWorkflow';
import {
  workflow as fedAvg,
  threeCloudWorkflow as fedAvgThreeClouds,
} from './src/federated-learning/fedavg';
import {
  workflow as nebulaFl,
  threeCloudWorkflow as nebulaFlThreeClouds,
} from './src/federated-learning/nebulafl';
import { workflow as iotPipeline } from './src/iot-pipeline/workflow';
import { workflow as mapreduceSort } from './src/mapreduce-sort/workflow';
import { workflow as mlPipeline } from './src/ml-pipeline/workflow';
import { workflow as monteCarloPi } from './src/monte-carlo-pi/workflow';
import { workflow as parallelSleep } from './src/parallel-sleep/workflow';
import { workflow as questionAnswering } from './src/question-answering/workflow';
import { workflow as videoAnalytics } from './src/video-analytics/workflow';
import { workflow as wordCount } from './src/word-count/workflow';

export const examplesDir = dirname(fileURLToPath(import.meta.url));

export const exampleWorkflows: ExampleWorkflow[] = [
  videoAnalytics,
  questionAnswering,
  iotPipeline,
  monteCarloPi,
  wordCount,
  mlPipeline,
  mapreduceSort,
  parallelSleep,
  eventStream,
  nebulaFl,
  fedAvg,
  nebulaFlThreeClouds,
  fedAvgThreeClouds,
];

/**
 * A step's source with its relative imports (`import { x } from './dataset'`) replaced by the
 * imported file's text, each file once: step code is bundled alone, so helpers shared by several
 * steps are written once under src/ and copied in here. Helper files may import other helpers.
 */
export function inlineImports(file: string, seen: Set<string> = new Set()): string {
  const dir = dirname(file);
  return readFileSync(file, 'utf8').replace(
    /^import (?:type )?\{[^}]*\} from '\.\/([A-Za-z0-9_-]+)';\n/gm,
    (_line, name: string) => {
      const helper = join(dir, `${name}.ts`);
      if (seen.has(helper)) return '';
      seen.add(helper);
      return `// --- inlined from ${name}.ts by examples/build.ts ---\n${inlineImports(helper, seen)}// --- end of ${name}.ts ---\n`;
    },
  );
}

/** The graph of an example with every step's code read from its source file. */
export function buildExample(workflow: ExampleWorkflow): GraphInput {
  const { file: _file, sourceDir, codeFiles, cloudsFile: _clouds, ...graph } = workflow;
  const nodes = graph.nodes.map((node) => {
    if (node.kind !== 'task' && node.kind !== 'join' && node.kind !== 'trigger') return node;
    const source = codeFiles?.[node.name] ?? node.name;
    const file = join(examplesDir, 'src', sourceDir ?? workflow.name, `${source}.ts`);
    if (!existsSync(file)) {
      if (node.kind !== 'task') return node;
      throw new Error(`example ${workflow.name}: task "${node.name}" has no source file ${file}`);
    }
    return { ...node, code: inlineImports(file) };
  });
  return { ...graph, nodes };
}

/** The text `examples/<name>.json` (or the example's `file`) must hold. */
export function exampleText(workflow: ExampleWorkflow): string {
  return `${JSON.stringify(buildExample(workflow), null, 2)}\n`;
}

export function examplePath(workflow: ExampleWorkflow): string {
  return join(examplesDir, workflow.file ?? `${workflow.name}.json`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const workflow of exampleWorkflows) {
    mkdirSync(dirname(examplePath(workflow)), { recursive: true });
    writeFileSync(examplePath(workflow), exampleText(workflow));
    console.log(`wrote ${examplePath(workflow)}`);
  }
}
