import { z } from 'zod';
import { percentiles } from './percentiles';

/** A trace event as the API streams it (the runtime's `TraceEvent` plus the API's `seq`). */
export const traceEventSchema = z
  .object({
    seq: z.number().optional(),
    id: z.string(),
    instance: z.string(),
    node: z.string(),
    kind: z.string(),
    cloud: z.string(),
    attempt: z.number().default(1),
    at: z.number(),
    durationMs: z.number().optional(),
    billedMs: z.number().optional(),
    costUsd: z.number().optional(),
    /** `invocation.billed` only: time in the cloud's queue and the sandbox's cold start. */
    queuedMs: z.number().optional(),
    coldStartMs: z.number().optional(),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    error: z.object({ message: z.string(), stack: z.string().optional() }).loose().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
  })
  .loose();
export type TraceEventView = z.infer<typeof traceEventSchema>;

const isString = (v: unknown): v is string => typeof v === 'string';
const optionalNumber = (v: unknown) => v === undefined || typeof v === 'number';

/**
 * Reads one trace event from the stream: the same checks as `traceEventSchema`, by hand,
 * because a 200,000-event replay must fold in about a second and zod costs as much again as
 * `JSON.parse` per event. Anything that does not fit is skipped (undefined).
 */
export function readTraceEvent(json: unknown): TraceEventView | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const e = json as Record<string, unknown>;
  if (!isString(e.id) || !isString(e.instance) || !isString(e.node)) return undefined;
  if (!isString(e.kind) || !isString(e.cloud) || typeof e.at !== 'number') return undefined;
  if (e.attempt === undefined) e.attempt = 1;
  else if (typeof e.attempt !== 'number') return undefined;
  for (const key of ['seq', 'durationMs', 'billedMs', 'costUsd', 'queuedMs', 'coldStartMs']) {
    if (!optionalNumber(e[key])) return undefined;
  }
  if (e.error !== undefined) {
    const error = e.error as Record<string, unknown> | null;
    if (typeof error !== 'object' || error === null || !isString(error.message)) return undefined;
    if (error.stack !== undefined && !isString(error.stack)) return undefined;
  }
  if ((e.from !== undefined && !isString(e.from)) || (e.to !== undefined && !isString(e.to))) {
    return undefined;
  }
  return e as TraceEventView;
}

export const completionSchema = z
  .object({
    status: z.string(),
    result: z.unknown().optional(),
    error: z.unknown().optional(),
  })
  .loose();
export type Completion = z.infer<typeof completionSchema>;

export type InstanceStatus =
  | 'pending'
  | 'running'
  | 'retrying'
  | 'succeeded'
  | 'skipped'
  | 'failed';

/**
 * How far along a status is; the view only moves an instance forward (events arrive out of
 * order). A committed success outranks a committed failure: only a redrive deletes a failure
 * record, so a success seen after a failure is the rerun's, and it is final.
 */
const statusRank: Record<InstanceStatus, number> = {
  pending: 0,
  running: 1,
  retrying: 2,
  failed: 3,
  skipped: 4,
  succeeded: 4,
};

/** Where one invocation's time went, from its host's `invocation.billed` event (epoch ms). */
export interface InvocationTiming {
  /** When it entered the cloud's queue. */
  queuedAt: number;
  /** When a sandbox took it (end of queueing, start of the cold start if any). */
  dispatchedAt: number;
  /** When the handler process began (end of the cold start). */
  workerAt: number;
  /** When the invocation ended on the cloud (commit, invokes and trace flush done). */
  endedAt: number;
  /** The invocation ended in an error (the host retried it, or a redrive ran it again). */
  failed: boolean;
}

export interface InstanceState {
  instance: string;
  node: string;
  cloud: string;
  status: InstanceStatus;
  attempts: number;
  retried: boolean;
  /** The cloud the invoke failed over to, when it did. */
  failedOverTo?: string;
  startedAt?: number;
  endedAt?: number;
  /** Time of the step's own code (the committed record's duration). */
  durationMs?: number;
  /** When the committed run of the step's code began (the record's `at`). */
  computeAt?: number;
  /** The latest invocation's timing split, when its host reported it. */
  timing?: InvocationTiming;
  /**
   * Every invocation the hosts billed, oldest first: platform retries and redrives each run
   * the function again, so this is how many times it really ran (step events of a rerun share
   * their ids with the first run's and are deduplicated).
   */
  invocations: InvocationTiming[];
  costUsd: number;
  billedMs: number;
  input?: unknown;
  output?: unknown;
  error?: { message: string; stack?: string };
}

/** The four parts of an instance's time the timeline draws (ms; absent parts are 0). */
export interface InstancePhases {
  start: number;
  queuedMs: number;
  coldStartMs: number;
  runningMs: number;
  committingMs: number;
  end: number;
}

export type NodeStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface NodeSummary {
  node: string;
  status: NodeStatus;
  /** Instances seen in the trace. */
  instances: number;
  /**
   * Instances the run committed to (the fan-out's map length, summed over the map's instances),
   * or null while it is unknown. For a step outside any map: the instances seen.
   */
  total: number | null;
  /** Committed to but not started yet (`total - seen`), or 0 when the total is unknown. */
  pending: number;
  running: number;
  succeeded: number;
  skipped: number;
  failed: number;
  retried: number;
  failedOver: number;
  costUsd: number;
  /** Clouds the instances ran on, most used first. */
  clouds: string[];
  /** Percentiles of the step code's duration over its finished instances (ms). */
  durationMs: { p50: number; p90: number; p99: number; max: number; count: number } | null;
  /** Percentiles of the whole instance time (queued to end), where the host reported it. */
  wallMs: { p50: number; p90: number; p99: number; max: number; count: number } | null;
}

/** The innermost map scope of an instance key (`sample/map:branches=3` → `branches`). */
export function innermostMap(instance: string): string | undefined {
  const at = instance.lastIndexOf('/map:');
  if (at < 0) return undefined;
  const rest = instance.slice(at + 5);
  const eq = rest.indexOf('=');
  return eq < 0 ? undefined : rest.slice(0, eq);
}

/**
 * Everything the run view shows, folded from trace events. Mutable on purpose: 200,000 events
 * must fold in well under a second, so `apply` updates in place and bumps `version` for React.
 */
export class RunTrace {
  readonly events: TraceEventView[] = [];
  readonly instances = new Map<string, InstanceState>();
  readonly costByCloud = new Map<string, number>();
  /** Committed map lengths per map instance (from the API's fan-out counts). */
  readonly fanOuts = new Map<string, number>();
  private readonly seen = new Set<string>();
  firstAt = Number.POSITIVE_INFINITY;
  lastAt = Number.NEGATIVE_INFINITY;
  completion: Completion | undefined;
  version = 0;

  apply(events: readonly TraceEventView[]): void {
    for (const event of events) this.applyOne(event);
    this.version++;
  }

  complete(completion: Completion): void {
    this.completion = completion;
    this.version++;
  }

  /** Records committed map lengths; returns whether anything changed. */
  setFanOuts(counts: readonly { instance: string; count: number | null }[]): boolean {
    let changed = false;
    for (const { instance, count } of counts) {
      if (count === null || this.fanOuts.get(instance) === count) continue;
      this.fanOuts.set(instance, count);
      changed = true;
    }
    if (changed) this.version++;
    return changed;
  }

  /** Map instances that committed but whose length is not known yet (ask the API for them). */
  unknownFanOuts(mapNodes: ReadonlySet<string>): string[] {
    const out: string[] = [];
    for (const state of this.instances.values()) {
      if (!mapNodes.has(state.node) || this.fanOuts.has(state.instance)) continue;
      if (state.status === 'succeeded') out.push(state.instance);
    }
    return out;
  }

  get makespanMs(): number {
    return this.lastAt >= this.firstAt ? this.lastAt - this.firstAt : 0;
  }

  get totalCostUsd(): number {
    let sum = 0;
    for (const cost of this.costByCloud.values()) sum += cost;
    return sum;
  }

  /**
   * Splits an instance's time into queued, cold start, running (its code) and committing (the
   * commit, the successors' invokes and the trace flush), from the host's timing when known.
   */
  phasesOf(state: InstanceState): InstancePhases | undefined {
    const t = state.timing;
    if (t !== undefined) {
      const computeEnd =
        state.computeAt !== undefined && state.durationMs !== undefined
          ? Math.min(t.endedAt, Math.max(t.workerAt, state.computeAt + state.durationMs))
          : t.endedAt;
      return {
        start: t.queuedAt,
        queuedMs: t.dispatchedAt - t.queuedAt,
        coldStartMs: t.workerAt - t.dispatchedAt,
        runningMs: computeEnd - t.workerAt,
        committingMs: t.endedAt - computeEnd,
        end: t.endedAt,
      };
    }
    const start = state.startedAt ?? state.computeAt;
    if (start === undefined) return undefined;
    const finished = state.status !== 'running' && state.status !== 'retrying';
    const end = finished
      ? Math.max(start, state.endedAt ?? start)
      : Math.max(start, this.lastAt, state.endedAt ?? start);
    return {
      start,
      queuedMs: 0,
      coldStartMs: 0,
      runningMs: end - start,
      committingMs: 0,
      end,
    };
  }

  /**
   * Per-step counts against the committed total, cost, clouds and duration percentiles.
   * `bodies` (step → its innermost map, from the graph) lets a mapped step show its pending
   * branches before any has reported; without it the map is read from instance keys.
   */
  nodeSummaries(bodies: ReadonlyMap<string, string> = new Map()): Map<string, NodeSummary> {
    type Acc = NodeSummary & { cloudUse: Map<string, number>; runs: number[]; walls: number[] };
    const acc = new Map<string, Acc>();
    const mapOf = new Map<string, string | undefined>();
    for (const state of this.instances.values()) {
      let summary = acc.get(state.node);
      if (!summary) {
        summary = {
          node: state.node,
          status: 'pending',
          instances: 0,
          total: null,
          pending: 0,
          running: 0,
          succeeded: 0,
          skipped: 0,
          failed: 0,
          retried: 0,
          failedOver: 0,
          costUsd: 0,
          clouds: [],
          durationMs: null,
          wallMs: null,
          cloudUse: new Map(),
          runs: [],
          walls: [],
        };
        acc.set(state.node, summary);
        mapOf.set(state.node, bodies.get(state.node) ?? innermostMap(state.instance));
      }
      summary.instances++;
      summary.costUsd += state.costUsd;
      if (state.status === 'running' || state.status === 'retrying') summary.running++;
      else if (state.status === 'succeeded') summary.succeeded++;
      else if (state.status === 'skipped') summary.skipped++;
      else if (state.status === 'failed') summary.failed++;
      if (state.retried || state.attempts > 1 || state.invocations.length > 1) summary.retried++;
      if (state.failedOverTo !== undefined) summary.failedOver++;
      if (state.status !== 'skipped' && state.status !== 'pending') {
        summary.cloudUse.set(state.cloud, (summary.cloudUse.get(state.cloud) ?? 0) + 1);
      }
      if (state.durationMs !== undefined && state.status !== 'running') {
        summary.runs.push(state.durationMs);
      }
      if (state.timing !== undefined) {
        summary.walls.push(state.timing.endedAt - state.timing.queuedAt);
      }
    }

    // Committed map lengths, summed per map node.
    const widths = new Map<string, { sum: number; instances: number; known: number }>();
    for (const [instance, count] of this.fanOuts) {
      const node = instance.split('/', 1)[0] ?? instance;
      const width = widths.get(node) ?? { sum: 0, instances: 0, known: 0 };
      width.sum += count;
      width.known++;
      widths.set(node, width);
    }
    for (const state of this.instances.values()) {
      const width = widths.get(state.node);
      if (width !== undefined && state.status === 'succeeded') width.instances++;
    }

    // Mapped steps whose map committed but which no branch has reported yet: all pending.
    for (const [node, map] of bodies) {
      if (acc.has(node) || !widths.has(map)) continue;
      acc.set(node, {
        node,
        status: 'pending',
        instances: 0,
        total: null,
        pending: 0,
        running: 0,
        succeeded: 0,
        skipped: 0,
        failed: 0,
        retried: 0,
        failedOver: 0,
        costUsd: 0,
        clouds: [],
        durationMs: null,
        wallMs: null,
        cloudUse: new Map(),
        runs: [],
        walls: [],
      });
      mapOf.set(node, map);
    }

    const finished = this.completion !== undefined;
    const out = new Map<string, NodeSummary>();
    for (const summary of acc.values()) {
      const { cloudUse, runs, walls, ...rest } = summary;
      const map = mapOf.get(summary.node);
      if (map === undefined) {
        rest.total = rest.instances;
      } else {
        const width = widths.get(map);
        // Known only when every committed instance of the map has reported its length.
        const known = width !== undefined && width.known >= width.instances;
        rest.total = known ? Math.max(width.sum, rest.instances) : finished ? rest.instances : null;
      }
      rest.pending = rest.total === null ? 0 : rest.total - rest.instances;
      rest.clouds = [...cloudUse].sort((a, b) => b[1] - a[1]).map(([cloud]) => cloud);
      rest.durationMs = runs.length > 0 ? { ...percentiles(runs), count: runs.length } : null;
      rest.wallMs = walls.length > 0 ? { ...percentiles(walls), count: walls.length } : null;
      const done = rest.succeeded + rest.skipped;
      rest.status =
        rest.failed > 0
          ? 'failed'
          : rest.total !== null && done === rest.total && rest.running === 0
            ? rest.skipped === rest.total
              ? 'skipped'
              : 'succeeded'
            : rest.running > 0 || done > 0
              ? 'running'
              : 'pending';
      out.set(summary.node, rest);
    }
    return out;
  }

  private applyOne(event: TraceEventView): void {
    if (this.seen.has(event.id)) return;
    this.seen.add(event.id);
    this.events.push(event);
    if (event.at < this.firstAt) this.firstAt = event.at;
    if (event.at > this.lastAt) this.lastAt = event.at;
    if (event.kind === 'execution.succeeded' || event.kind === 'execution.failed') return;
    // A trigger's decisions are not a run of a step: a group's collection instance never runs,
    // and a batch fills before its run starts. triggerState.ts folds them.
    if (event.kind.startsWith('trigger.')) return;
    const state = this.instanceFor(event);
    if (event.kind === 'invocation.billed') {
      this.costByCloud.set(
        event.cloud,
        (this.costByCloud.get(event.cloud) ?? 0) + (event.costUsd ?? 0),
      );
      state.costUsd += event.costUsd ?? 0;
      state.billedMs += event.billedMs ?? 0;
      if (event.queuedMs !== undefined && event.durationMs !== undefined) {
        const workerAt = event.at - event.durationMs;
        const dispatchedAt = workerAt - (event.coldStartMs ?? 0);
        const timing = {
          queuedAt: dispatchedAt - event.queuedMs,
          dispatchedAt,
          workerAt,
          endedAt: event.at,
          failed: event.error !== undefined,
        };
        state.invocations.push(timing);
        if (state.invocations.length > 1) state.invocations.sort((a, b) => a.endedAt - b.endedAt);
        // The latest invocation is the one whose run the instance shows.
        if (state.timing === undefined || timing.endedAt > state.timing.endedAt) {
          state.timing = timing;
          if (timing.queuedAt < this.firstAt) this.firstAt = timing.queuedAt;
        }
      }
      return;
    }
    state.attempts = Math.max(state.attempts, event.attempt);
    switch (event.kind) {
      case 'step.started':
        this.advance(state, 'running');
        if (state.status === 'running') state.cloud = event.cloud;
        if (state.startedAt === undefined || event.at < state.startedAt) state.startedAt = event.at;
        if (event.input !== undefined) state.input = event.input;
        break;
      case 'step.retrying':
        state.retried = true;
        this.advance(state, 'retrying');
        if (event.error) state.error = event.error;
        break;
      case 'step.succeeded':
      case 'step.adopted':
        if (this.finish(state, event, 'succeeded')) {
          if (event.output !== undefined) state.output = event.output;
          state.error = undefined;
        }
        break;
      case 'step.failed':
        if (this.finish(state, event, 'failed') && event.error) state.error = event.error;
        break;
      case 'step.skipped':
        this.finish(state, event, 'skipped');
        break;
      case 'invoke.failover':
        state.failedOverTo = event.to ?? event.cloud;
        break;
      default:
        break;
    }
  }

  private instanceFor(event: TraceEventView): InstanceState {
    let state = this.instances.get(event.instance);
    if (!state) {
      state = {
        instance: event.instance,
        node: event.node,
        cloud: event.cloud,
        status: 'pending',
        attempts: 0,
        retried: false,
        costUsd: 0,
        billedMs: 0,
        invocations: [],
      };
      this.instances.set(event.instance, state);
    }
    return state;
  }

  private advance(state: InstanceState, status: InstanceStatus): void {
    if (statusRank[status] > statusRank[state.status]) state.status = status;
  }

  /** Moves to an end state; false when the instance already holds a later one. */
  private finish(state: InstanceState, event: TraceEventView, status: InstanceStatus): boolean {
    this.advance(state, status);
    if (state.status !== status) return false;
    state.cloud = event.cloud;
    // A committed event's `at` is when the committed run of the code began (the record's `at`).
    state.computeAt = event.at;
    const end = event.at + (event.durationMs ?? 0);
    if (state.endedAt === undefined || end > state.endedAt) state.endedAt = end;
    if (end > this.lastAt) this.lastAt = end;
    if (event.durationMs !== undefined) state.durationMs = event.durationMs;
    if (state.startedAt === undefined) state.startedAt = event.at;
    return true;
  }
}
