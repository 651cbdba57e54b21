import { z } from 'zod';
import { type NodeKind, transferModes, triggerSpec } from './graph';

/**
 * The IR: one config per function holding only local knowledge, its own settings and its
 * continuations. A deployed function receives exactly one `FunctionIR` plus the few
 * workflow-wide facts in `FunctionContext`; it never sees the rest of the graph.
 *
 * Everything here is plain JSON (no undefined in arrays, no Maps) so that it survives
 * `JSON.parse(JSON.stringify(ir))` unchanged and hashes stably. The IR is a message format: the
 * zod schemas here are the one definition, the types are inferred from them, and whoever reads
 * an IR back from JSON (a deployment's stored IR, a function's packaged config) parses it.
 */

/** What a function knows about the workflow beyond its own config. */
export const functionContextSchema = z.object({
  workflow: z.string(),
  irVersion: z.string(),
  resultStore: z.string(),
});
export type FunctionContext = z.infer<typeof functionContextSchema>;

/**
 * How a continuation changes the scope stack of the instance it creates.
 * - `keep`: same scope (a chain step, a static parallel branch, a choice branch).
 * - `push-map`: one child per element, `map:<map>=<index>` pushed (mode `each`).
 * - `push-loop`: entering a loop body from outside, `loop:<loop>=0` pushed.
 * - `bump-loop`: the back edge, the top `loop:<loop>=k` becomes `k+1`.
 * - `pop`: leaving `count` scopes (a loop exit, or a map's join).
 */
export const scopeOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('keep') }),
  z.object({ op: z.literal('push-map'), map: z.string() }),
  z.object({ op: z.literal('push-loop'), loop: z.string() }),
  z.object({ op: z.literal('bump-loop'), loop: z.string() }),
  z.object({ op: z.literal('pop'), count: z.number().int().nonnegative() }),
]);
export type ScopeOp = z.infer<typeof scopeOpSchema>;

/**
 * Where a branch lands in its join's slot record.
 * - `map-index`: the slot is the index of the innermost `map:<map>` scope being popped and the
 *   record's size is that scope's element count (carried in the scope entry, decided by the
 *   map's committed record).
 * - `static`: a fixed slot of a fixed-size join (parallel branches, choice branches).
 */
export const joinSlotSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('map-index'), map: z.string() }),
  z.object({
    kind: z.literal('static'),
    slot: z.number().int().nonnegative(),
    size: z.number().int().positive(),
  }),
]);
export type JoinSlot = z.infer<typeof joinSlotSchema>;

export const joinTargetSchema = z.object({
  /** The join function's name. */
  join: z.string(),
  slot: joinSlotSchema,
  /** Cloud whose store holds the join's slot record (where most branches run). */
  store: z.string(),
});
export type JoinTarget = z.infer<typeof joinTargetSchema>;

/**
 * Where a producer's objects go in a trigger: the trigger's decision records live in `store`;
 * `slot` is the producer's position (its map index when the trigger collects a map's branches,
 * else its edge among the trigger's incoming edges), which batch and group triggers order by.
 */
export const triggerTargetSchema = z.object({
  trigger: z.string(),
  spec: triggerSpec,
  store: z.string(),
  slot: joinSlotSchema,
  /** The trigger's runs form a fan-out `map:<trigger>=<i>` (immediate, batch, group). */
  fansOut: z.boolean(),
});
export type TriggerTarget = z.infer<typeof triggerTargetSchema>;

/**
 * On a branch's `join` continuation into the join of a map that has `maxConcurrency` n: after
 * filling the slot of element k, the branch starts element k + n (if there is one) the way the
 * map would have: the element from the map's committed record (`map` at the join's scope, in
 * `mapStore`), through `mapping`, invoked on `target` with `map:<map>=<k+n>` pushed.
 */
export const mapSuccessorSchema = z.object({
  map: z.string(),
  maxConcurrency: z.number().int().positive(),
  /** The map's home store, which holds its committed record (the items). */
  mapStore: z.string(),
  /** The map's `each` continuation: target, clouds, mapping and transfer of every element. */
  target: z.string(),
  cloud: z.string(),
  failover: z.array(z.string()),
  mapping: z.string().optional(),
  transfer: z.enum(transferModes),
  inlineLimitBytes: z.number().int().nonnegative(),
});
export type MapSuccessor = z.infer<typeof mapSuccessorSchema>;

export const continuationModes = ['one', 'each', 'join', 'trigger'] as const;
export type ContinuationMode = (typeof continuationModes)[number];

export const continuationSchema = z.object({
  /** The function this continuation invokes. */
  target: z.string(),
  /** The target's primary cloud and its replicas, in failover order. */
  cloud: z.string(),
  failover: z.array(z.string()),
  mode: z.enum(continuationModes),
  /** JSONata over the source's output; absent means always taken (or the default of a choice). */
  guard: z.string().optional(),
  /** JSONata over the source's output; its value is the target's input. */
  mapping: z.string().optional(),
  /**
   * Only with mode `one`: JSONata over the source's output giving the time (epoch ms, or ISO
   * 8601 text) before which the target may not run; sent as the invocation's `notBefore`.
   */
  notBefore: z.string().optional(),
  scope: scopeOpSchema,
  /** Present when `mode` is `join`. */
  join: joinTargetSchema.optional(),
  /** Present when `mode` is `trigger`: the scope op leads to the trigger's collection scope. */
  trigger: triggerTargetSchema.optional(),
  /**
   * Join slots to fill with a skip token when this continuation is not taken (choice branches
   * that reconverge), so the join never waits for a branch that will not come.
   */
  skip: z.array(joinTargetSchema),
  /** Only on a `join` continuation into a bounded map's join: start the next element. */
  mapSuccessor: mapSuccessorSchema.optional(),
  transfer: z.enum(transferModes),
  /**
   * Largest payload in bytes that may travel inline: the smaller of the target cloud's and its
   * failovers' async-invoke limits, less room for the envelope.
   */
  inlineLimitBytes: z.number().int().nonnegative(),
});
export type Continuation = z.infer<typeof continuationSchema>;

const functionCommon = {
  name: z.string(),
  cloud: z.string(),
  failover: z.array(z.string()),
  /** Cloud whose store holds this function's checkpoints: fixed, whoever runs the function. */
  homeStore: z.string(),
  memoryMb: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  retries: z.number().int().nonnegative(),
  functionClass: z.string(),
  expensive: z.boolean(),
  /** TypeScript source exporting `handler(input, ctx)`; empty when the kind runs no code. */
  code: z.string(),
  /** `all`: every continuation whose guard holds is taken; `first`: the first one only. */
  routing: z.enum(['all', 'first']),
  continuations: z.array(continuationSchema),
  /** True when the function has no continuations: its committed output is the execution result. */
  terminal: z.boolean(),
  /** The graph's run-time hint (ms at speed 1), when it gave one; used by the planner only. */
  estimatedMs: z.number().optional(),
};

export const functionIRSchema = z.discriminatedUnion('kind', [
  z.object({ ...functionCommon, kind: z.literal('task') }),
  z.object({
    ...functionCommon,
    kind: z.literal('map'),
    items: z.string(),
    maxItems: z.number().int().nonnegative(),
    /** Invoke only the first n elements; each branch, once joined, starts element index + n. */
    maxConcurrency: z.number().int().positive().optional(),
  }),
  z.object({
    ...functionCommon,
    kind: z.literal('join'),
    /** The fan-out node this join collects. */
    fanOut: z.string(),
    /** `array`: slot values in order; `taken`: the one branch a choice took. */
    collect: z.enum(['array', 'taken']),
    store: z.string(),
  }),
  z.object({ ...functionCommon, kind: z.literal('choice') }),
  z.object({
    ...functionCommon,
    kind: z.literal('loop'),
    maxIterations: z.number().int().nonnegative(),
  }),
  z.object({
    ...functionCommon,
    kind: z.literal('trigger'),
    trigger: triggerSpec,
    /** Cloud whose store holds the trigger's decision records. */
    store: z.string(),
    /** The map whose branches feed the trigger, when it collects across them. */
    fanOut: z.string().optional(),
    fansOut: z.boolean(),
  }),
]);
export type FunctionIR = z.infer<typeof functionIRSchema>;

/** A whole workflow's IR: every function's config, keyed by name. */
export const workflowIRSchema = z.object({
  format: z.literal(1),
  workflow: z.string(),
  /** Stable hash of `functions`, `start` and `resultStore` (see `irVersion`). */
  version: z.string(),
  /** The function that receives the execution input. */
  start: z.string(),
  /** Cloud whose store holds the execution result and the closed marker. */
  resultStore: z.string(),
  /** Keyed by function (node) name, keys in sorted order. */
  functions: z.record(z.string(), functionIRSchema),
});
export type WorkflowIR = z.infer<typeof workflowIRSchema>;

export type FunctionKind = NodeKind;
