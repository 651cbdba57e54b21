import { z } from 'zod';

/**
 * The graph is what the designer edits and the API stores. It is parsed with zod at every
 * boundary (API body, CLI file, browser import) and trusted after that.
 *
 * Node names are stable identifiers: they name the deployed function, appear in instance keys
 * and in trace events, so they are restricted to a safe alphabet.
 */

export const NODE_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]{0,62}$/;

export const nodeKinds = ['task', 'map', 'join', 'choice', 'loop', 'trigger'] as const;
export type NodeKind = (typeof nodeKinds)[number];

export const transferModes = ['inline', 'blob', 'auto'] as const;
export type TransferMode = (typeof transferModes)[number];

const nodeName = z
  .string()
  .regex(NODE_NAME_PATTERN, 'a node name starts with a letter and holds letters, digits, _ or -');

/** Settings every node kind shares. Defaults are filled in by the parser. */
const nodeBase = {
  name: nodeName,
  /** A cloud id from the cloud profiles, or `auto` to let the planner choose. */
  cloud: z.string().min(1).default('auto'),
  /** Clouds that host a replica; an invoke that fails on `cloud` is retried on these in order. */
  failover: z.array(z.string().min(1)).default([]),
  memoryMb: z.number().int().min(64).max(10240).default(256),
  timeoutMs: z.number().int().min(100).max(900_000).default(30_000),
  retries: z.number().int().min(0).max(10).default(2),
  /** Function class, e.g. `cpu` or `gpu`; a cloud profile may run a class faster. */
  functionClass: z.string().min(1).default('cpu'),
  transfer: z.enum(transferModes).default('auto'),
  /** Mark a step whose code is costly to repeat: the runtime reads its checkpoint before running. */
  expensive: z.boolean().default(false),
  /** TypeScript source exporting `handler(input, ctx)`. Empty for kinds that run no code. */
  code: z.string().default(''),
  /** Expected run time of the node's code in ms on a baseline (speed 1) cloud; the planner's hint. */
  estimatedMs: z.number().int().min(0).max(900_000).optional(),
  /** Canvas position; the designer's business, ignored by the compiler. */
  position: z.object({ x: z.number(), y: z.number() }).optional(),
  description: z.string().optional(),
};

/** A step that runs user code once per instance. */
export const taskNode = z.object({ kind: z.literal('task'), ...nodeBase });

/**
 * Fan-out over an array: `items` (JSONata over the node's input, default `$`) yields the array;
 * the successors run once per element, with `map:<name>=<index>` pushed on the scope stack, up to
 * the join whose `fanOut` names this map. Runs no user code.
 */
export const mapNode = z.object({
  kind: z.literal('map'),
  ...nodeBase,
  items: z.string().default('$'),
  /** Upper bound on the array length; a longer array fails the map with a clear error. */
  maxItems: z.number().int().min(1).max(100_000).default(10_000),
  /**
   * At most this many elements' branches in flight (a positive integer); absent: all at once.
   * Any number is accepted here so the compiler can name a bad one (`IR_MAP_MAX_CONCURRENCY`).
   */
  maxConcurrency: z.number().optional(),
});

/**
 * Fan-in. `fanOut` names the node whose branches this join collects: a map (output is the array
 * of branch outputs in index order), a task with several unguarded successors (parallel: array in
 * the order of the join's incoming edges), or a choice (output is the taken branch's value).
 * A join may also run code over the collected array; without code it passes the array on.
 */
export const joinNode = z.object({
  kind: z.literal('join'),
  ...nodeBase,
  fanOut: nodeName,
});

/**
 * Guarded branching: the outgoing edges' guards are evaluated in edge order over the input; the
 * first that is true is taken; an edge without a guard is the default. Runs no user code.
 */
export const choiceNode = z.object({ kind: z.literal('choice'), ...nodeBase });

/**
 * A loop guard: its outgoing edge back into the loop body is the back edge and must carry a guard
 * (JSONata; `$iteration` is bound to the current iteration, starting at 0); its other edge exits
 * the loop. The body's instances carry `loop:<name>=<iteration>` in their keys.
 */
export const loopNode = z.object({
  kind: z.literal('loop'),
  ...nodeBase,
  maxIterations: z.number().int().min(1).max(10_000).default(100),
});

export const triggerKinds = [
  'immediate',
  'by-name',
  'batch',
  'set',
  'group',
  'k-of-n',
  'window',
] as const;
export type TriggerKind = (typeof triggerKinds)[number];

/**
 * The kinds the runtime runs; the compiler refuses the others (IR_TRIGGER_UNSUPPORTED) and the
 * designer offers exactly these.
 */
export const runnableTriggerKinds: readonly TriggerKind[] = triggerKinds;

/** An object key as steps emit it with `ctx.emit(key, value)`. */
const objectKey = z
  .string()
  .min(1, 'an object key is not empty')
  .max(128, 'an object key is at most 128 characters');

/**
 * Pheromone-style data triggers (DESIGN.md, "Data triggers"). Producers put objects into the
 * trigger's bucket: what they `ctx.emit(key, value)`, or their output under their instance key
 * when they emit nothing. The trigger decides, by a committed record, when the trigger step runs
 * (it "fires") and with which objects; the trigger step then runs its optional code over them and
 * continues like any step. Every kind but `window` collects within one execution and one scope.
 */
export const triggerSpec = z.discriminatedUnion('type', [
  /** Every object fires one run with that object (one producer; the runs are a fan-out). */
  z.object({ type: z.literal('immediate') }),
  /** A producer's object with this key fires one run with it; other keys are ignored. */
  z.object({ type: z.literal('by-name'), key: objectKey }),
  /** Producers' objects in producer order, `size` producers per run (the last run may be short). */
  z.object({ type: z.literal('batch'), size: z.number().int() }),
  /** One run when every key of the set has arrived, with `{ key: value }`. */
  z.object({ type: z.literal('set'), keys: z.array(objectKey) }),
  /**
   * MapReduce shuffle: objects keyed `<prefix><group>` are grouped; when every producer has
   * committed (their committed records are the control keys), each group fires one run.
   */
  z.object({ type: z.literal('group'), prefix: objectKey.default('group:') }),
  /** The first `k` of `n` arrivals fire one run; arrivals after the k-th are dropped. */
  z.object({ type: z.literal('k-of-n'), k: z.number().int(), n: z.number().int() }),
  /**
   * The objects of one `windowMs` window fire one run when it closes. Spans executions: many
   * producer runs feed one window, and the run is an execution of its own (`wnd.<T>.<w>.<…>`),
   * started by a durable timer invocation when the window closes.
   */
  z.object({ type: z.literal('window'), windowMs: z.number().int() }),
]);
export type TriggerSpec = z.infer<typeof triggerSpec>;

/** True for the kinds whose runs form a fan-out (`T/map:T=<i>`), collected by a join with `fanOut: T`. */
export function triggerFansOut(spec: TriggerSpec): boolean {
  return spec.type === 'immediate' || spec.type === 'batch' || spec.type === 'group';
}

export const triggerNode = z.object({
  kind: z.literal('trigger'),
  ...nodeBase,
  trigger: triggerSpec,
  /**
   * The map whose branches feed this trigger: the trigger collects across all of them (it takes
   * the place of the map's join). Absent: the producers are in the trigger's own scope.
   */
  fanOut: nodeName.optional(),
});

export const graphNode = z.discriminatedUnion('kind', [
  taskNode,
  mapNode,
  joinNode,
  choiceNode,
  loopNode,
  triggerNode,
]);

export const graphEdge = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  target: z.string().min(1),
  /** JSONata over the source's output; the edge is taken when it evaluates truthy. */
  guard: z.string().optional(),
  /** JSONata over the source's output; its value is what the target receives. */
  mapping: z.string().optional(),
  /**
   * JSONata over the source's output: the time (epoch ms, or ISO 8601 text) before which the
   * target may not start. A durable wait: the target's invocation waits in its cloud's queue,
   * not in a running function. Only on edges that invoke one target (not into a join, not out
   * of a map).
   */
  notBefore: z.string().optional(),
  label: z.string().optional(),
});

export const graphSchema = z.object({
  /** Format version of this document. */
  format: z.literal(1).default(1),
  name: z.string().min(1).max(200),
  description: z.string().optional(),
  nodes: z.array(graphNode),
  edges: z.array(graphEdge),
  /** Sample input for the run dialog and `jointflow run` without `--input`. */
  sampleInput: z.unknown().optional(),
});

export type GraphNode = z.infer<typeof graphNode>;
export type GraphEdge = z.infer<typeof graphEdge>;
export type Graph = z.infer<typeof graphSchema>;
/** A graph as written by hand: every defaulted field may be left out. */
export type GraphInput = z.input<typeof graphSchema>;
