import type { NodeKind, TransferMode, TriggerSpec } from './graph';

/**
 * The IR: one config per function holding only local knowledge, its own settings and its
 * continuations. A deployed function receives exactly one `FunctionIR` plus the few
 * workflow-wide facts in `FunctionContext`; it never sees the rest of the graph.
 *
 * Everything here is plain JSON (no undefined in arrays, no Maps) so that it survives
 * `JSON.parse(JSON.stringify(ir))` unchanged and hashes stably.
 */
export interface WorkflowIR {
  format: 1;
  workflow: string;
  /** Stable hash of `functions`, `start` and `resultStore` (see `irVersion`). */
  version: string;
  /** The function that receives the execution input. */
  start: string;
  /** Cloud whose store holds the execution result and the closed marker. */
  resultStore: string;
  /** Keyed by function (node) name, keys in sorted order. */
  functions: Record<string, FunctionIR>;
}

/** What a function knows about the workflow beyond its own config. */
export interface FunctionContext {
  workflow: string;
  irVersion: string;
  resultStore: string;
}

/**
 * How a continuation changes the scope stack of the instance it creates.
 * - `keep`: same scope (a chain step, a static parallel branch, a choice branch).
 * - `push-map`: one child per element, `map:<map>=<index>` pushed (mode `each`).
 * - `push-loop`: entering a loop body from outside, `loop:<loop>=0` pushed.
 * - `bump-loop`: the back edge, the top `loop:<loop>=k` becomes `k+1`.
 * - `pop`: leaving `count` scopes (a loop exit, or a map's join).
 */
export type ScopeOp =
  | { op: 'keep' }
  | { op: 'push-map'; map: string }
  | { op: 'push-loop'; loop: string }
  | { op: 'bump-loop'; loop: string }
  | { op: 'pop'; count: number };

/**
 * Where a branch lands in its join's slot record.
 * - `map-index`: the slot is the index of the innermost `map:<map>` scope being popped and the
 *   record's size is that scope's element count (carried in the scope entry, decided by the
 *   map's committed record).
 * - `static`: a fixed slot of a fixed-size join (parallel branches, choice branches).
 */
export type JoinSlot =
  | { kind: 'map-index'; map: string }
  | { kind: 'static'; slot: number; size: number };

export interface JoinTarget {
  /** The join function's name. */
  join: string;
  slot: JoinSlot;
  /** Cloud whose store holds the join's slot record (where most branches run). */
  store: string;
}

/**
 * Where a producer's objects go in a trigger: the trigger's decision records live in `store`;
 * `slot` is the producer's position (its map index when the trigger collects a map's branches,
 * else its edge among the trigger's incoming edges), which batch and group triggers order by.
 */
export interface TriggerTarget {
  trigger: string;
  spec: TriggerSpec;
  store: string;
  slot: JoinSlot;
  /** The trigger's runs form a fan-out `map:<trigger>=<i>` (immediate, batch, group). */
  fansOut: boolean;
}

export type ContinuationMode = 'one' | 'each' | 'join' | 'trigger';

export interface Continuation {
  /** The function this continuation invokes. */
  target: string;
  /** The target's primary cloud and its replicas, in failover order. */
  cloud: string;
  failover: string[];
  mode: ContinuationMode;
  /** JSONata over the source's output; absent means always taken (or the default of a choice). */
  guard?: string;
  /** JSONata over the source's output; its value is the target's input. */
  mapping?: string;
  scope: ScopeOp;
  /** Present when `mode` is `join`. */
  join?: JoinTarget;
  /** Present when `mode` is `trigger`: the scope op leads to the trigger's collection scope. */
  trigger?: TriggerTarget;
  /**
   * Join slots to fill with a skip token when this continuation is not taken (choice branches
   * that reconverge), so the join never waits for a branch that will not come.
   */
  skip: JoinTarget[];
  transfer: TransferMode;
  /**
   * Largest payload in bytes that may travel inline: the smaller of the target cloud's and its
   * failovers' async-invoke limits, less room for the envelope.
   */
  inlineLimitBytes: number;
}

interface FunctionCommon {
  name: string;
  cloud: string;
  failover: string[];
  /** Cloud whose store holds this function's checkpoints: fixed, whoever runs the function. */
  homeStore: string;
  memoryMb: number;
  timeoutMs: number;
  retries: number;
  functionClass: string;
  expensive: boolean;
  /** TypeScript source exporting `handler(input, ctx)`; empty when the kind runs no code. */
  code: string;
  /** `all`: every continuation whose guard holds is taken; `first`: the first one only. */
  routing: 'all' | 'first';
  continuations: Continuation[];
  /** True when the function has no continuations: its committed output is the execution result. */
  terminal: boolean;
  /** The graph's run-time hint (ms at speed 1), when it gave one; used by the planner only. */
  estimatedMs?: number;
}

export type FunctionIR = FunctionCommon &
  (
    | { kind: 'task' }
    | { kind: 'map'; items: string; maxItems: number }
    | {
        kind: 'join';
        /** The fan-out node this join collects. */
        fanOut: string;
        /** `array`: slot values in order; `taken`: the one branch a choice took. */
        collect: 'array' | 'taken';
        store: string;
      }
    | { kind: 'choice' }
    | { kind: 'loop'; maxIterations: number }
    | {
        kind: 'trigger';
        trigger: TriggerSpec;
        /** Cloud whose store holds the trigger's decision records. */
        store: string;
        /** The map whose branches feed the trigger, when it collects across them. */
        fanOut?: string;
        fansOut: boolean;
      }
  );

export type FunctionKind = NodeKind;
