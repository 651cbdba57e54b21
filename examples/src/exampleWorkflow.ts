import type { GraphInput } from '@jointflow/ir';

/**
 * An example as authored: a graph whose task, join and trigger nodes take their code from
 * `examples/src/<name>/<node>.ts`. `examples/build.ts` turns it into `examples/<name>.json`.
 */
export type ExampleWorkflow = GraphInput & { name: string };
