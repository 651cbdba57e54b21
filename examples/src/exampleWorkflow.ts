import type { GraphInput } from '@jointflow/ir';

/**
 * An example as authored: a graph whose task, join and trigger nodes take their code from
 * `examples/src/<name>/<node>.ts`. `examples/build.ts` turns it into `examples/<name>.json`.
 * Examples that share a folder (federated-learning's two graphs) say where their sources are,
 * which file several nodes share, and where the JSON goes; none of that enters the JSON.
 */
export type ExampleWorkflow = GraphInput & {
  name: string;
  /** The JSON's path under examples/; default `<name>.json`. */
  file?: string;
  /** The sources' folder under examples/src/; default `<name>`. */
  sourceDir?: string;
  /** Node name -> source file (without `.ts`) for nodes that share one; default the node's name. */
  codeFiles?: Record<string, string>;
  /** The clouds file (under examples/) it runs on when the two default clouds are not enough. */
  cloudsFile?: string;
};
