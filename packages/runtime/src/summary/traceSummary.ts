import { compareHlc, compareHlcStamps, parseHlc } from './hlc';
import { percentiles } from './percentiles';

/**
 * What the fold reads of a trace event: the runtime's `TraceEvent` fits, and so does the looser
 * shape the browser parses from the API's stream (`kind` any string, `execution` and `hlc`
 * optional).
 */
export interface SummaryEvent {
  id: string;
  instance: string;
  node: string;
  kind: string;
  cloud: string;
  attempt: number;
  at: number;
  hlc?: string;
  execution?: string;
  durationMs?: number;
  billedMs?: number;
  costUsd?: number;
  queuedMs?: number;
  coldStartMs?: number;
  input?: unknown;
  output?: unknown;
  error?: { message: string; stack?: string };
  to?: string;
}

/** How an execution ended, as the API reports it (`cancelled` included). */
export interface Completion {
  status: string;
  result?: unknown;
  error?: unknown;
}

export type InstanceStatus =
  | 'pending'
  | 'running'
  | 'retrying'
  | 'succeeded'
  | 'skipped'
  | 'failed';

/**
 * How far along a status is; an instance only moves forward (events arrive out of order, from
 * several clouds). A committed success outranks a committed failure: only a redrive deletes a
 * failure record, so a success seen after a failure is the rerun's, and it is final. A skip and
 * a success never meet on one instance; the success wins if they did.
 */
const statusRank: Record<InstanceStatus, number> = {
  pending: 0,
  running: 1,
  retrying: 2,
  failed: 3,
  skipped: 4,
  succeeded: 5,
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
  /** The highest attempt any of its events carries (platform retries and redeliveries). */
  attempts: number;
  retried: boolean;
  /** The cloud the invoke failed over to, when it did. */
  failedOverTo?: string;
  /** How many invokes of it failed over. */
  failovers: number;
  /** The stamp of its earliest `step.started`: its place in order (rows without one go last). */
  startHlc?: string;
  startedAt?: number;
  endedAt?: number;
  /** Time of the step's own code (the committed record's duration). */
  durationMs?: number;
  /** When the committed run of the step's code began (the record's `at`). */
  computeAt?: number;
  /** The latest invocation's timing split, when its host reported it. */
  timing?: InvocationTiming;
  /**
   * Every invocation the hosts billed with a timing split, oldest first: platform retries and
   * redrives each run the function again (step events of a rerun share their ids with the
   * first run's and are deduplicated).
   */
  invocations: InvocationTiming[];
  /** Every invocation the hosts billed, with or without a timing split. */
  billedInvocations: number;
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

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/** The per-step numbers: every count is against the total the fan-outs committed. */
export interface StepSummary {
  node: string;
  status: StepStatus;
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
  /** Pending and running instances of a cancelled execution: no step starts another. */
  cancelled: number;
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

/** One instance as the API's execution view and the CLI's step table report it. */
export interface InstanceRow {
  instance: string;
  node: string;
  cloud: string;
  status: InstanceStatus;
  attempts: number;
  /** Invocations the hosts billed (platform retries and redrives each run it again). */
  invocations: number;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  billedMs: number;
  costUsd: number;
  failovers: number;
  output?: unknown;
  error?: { message: string };
}

/** The innermost map scope of an instance key (`sample/map:branches=3` → `branches`). */
export function innermostMap(instance: string): string | undefined {
  const at = instance.lastIndexOf('/map:');
  if (at < 0) return undefined;
  const rest = instance.slice(at + 5);
  const eq = rest.indexOf('=');
  return eq < 0 ? undefined : rest.slice(0, eq);
}

type StepAcc = StepSummary & { cloudUse: Map<string, number>; runs: number[]; walls: number[] };

function emptyStep(node: string): StepAcc {
  return {
    node,
    status: 'pending',
    instances: 0,
    total: null,
    pending: 0,
    running: 0,
    succeeded: 0,
    skipped: 0,
    failed: 0,
    cancelled: 0,
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
}

/**
 * A step's status from its counts: failed when any instance failed; succeeded (or skipped) only
 * when every instance the run committed to did; cancelled when the execution was cancelled
 * before that; else running once anything started, pending before.
 */
function stepStatus(s: StepSummary, cancelled: boolean): StepStatus {
  if (s.failed > 0) return 'failed';
  const done = s.succeeded + s.skipped;
  if (s.total !== null && done === s.total && s.running === 0) {
    return s.skipped === s.total ? 'skipped' : 'succeeded';
  }
  if (cancelled) return 'cancelled';
  return s.running > 0 || done > 0 ? 'running' : 'pending';
}

/**
 * The one fold of an execution's trace events into per-instance states and per-step summaries,
 * shared by the API, the CLI and the browser's run view. Events may arrive in any order and any
 * number of times: each is applied once (by its deterministic id) and every field combines
 * order-independently, so the result is the same for every arrival order.
 *
 * Mutable on purpose: the run view folds 200,000 events in well under a second, so `apply`
 * updates in place and bumps `version`.
 *
 * @example
 * const trace = new TraceSummary();
 * trace.apply(events);
 * trace.complete({ status: 'succeeded' });
 * trace.stepSummaries().get('resize'); // { status: 'succeeded', total: 14, succeeded: 14, … }
 */
export class TraceSummary<E extends SummaryEvent = SummaryEvent> {
  /** Every distinct event, in arrival order. */
  readonly events: E[] = [];
  readonly instances = new Map<string, InstanceState>();
  readonly costByCloud = new Map<string, number>();
  /** Committed map lengths per map instance (from the API's fan-out counts). */
  readonly fanOuts = new Map<string, number>();
  private readonly seen = new Set<string>();
  firstAt = Number.POSITIVE_INFINITY;
  lastAt = Number.NEGATIVE_INFINITY;
  completion: Completion | undefined;
  version = 0;

  apply(events: readonly E[]): void {
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
  stepSummaries(bodies: ReadonlyMap<string, string> = new Map()): Map<string, StepSummary> {
    const acc = new Map<string, StepAcc>();
    const mapOf = new Map<string, string | undefined>();
    for (const state of this.instances.values()) {
      let summary = acc.get(state.node);
      if (!summary) {
        summary = emptyStep(state.node);
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
      acc.set(node, emptyStep(node));
      mapOf.set(node, map);
    }

    const finished = this.completion !== undefined;
    const cancelled = this.completion?.status === 'cancelled';
    const out = new Map<string, StepSummary>();
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
      rest.status = stepStatus(rest, cancelled);
      if (rest.status === 'cancelled') rest.cancelled = rest.pending + rest.running;
      out.set(summary.node, rest);
    }
    return out;
  }

  /**
   * One row per instance, in the order of their start stamps (hybrid logical clock), for the
   * API's execution view and the CLI's step table.
   */
  instanceRows(): InstanceRow[] {
    // Each stamp parsed once: an execution view may hold tens of thousands of instances.
    const keyed = [...this.instances.values()].map((state) => ({
      state,
      stamp: parseHlc(state.startHlc),
    }));
    keyed.sort(
      ({ state: a, stamp: pa }, { state: b, stamp: pb }) =>
        // Instances that never started (skipped, not reached) after those that did.
        (pa === undefined ? 1 : 0) - (pb === undefined ? 1 : 0) ||
        compareHlcStamps(pa, pb) ||
        (a.startedAt ?? Number.MAX_SAFE_INTEGER) - (b.startedAt ?? Number.MAX_SAFE_INTEGER) ||
        (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0),
    );
    return keyed.map(({ state: s }) => {
      const startedAt = s.startedAt ?? null;
      const finishedAt = s.endedAt ?? null;
      const durationMs =
        s.durationMs ??
        (startedAt !== null && finishedAt !== null && s.status !== 'running'
          ? finishedAt - startedAt
          : null);
      return {
        instance: s.instance,
        node: s.node,
        cloud: s.cloud,
        status: s.status,
        attempts: s.attempts,
        invocations: s.billedInvocations,
        startedAt,
        finishedAt,
        durationMs,
        billedMs: s.billedMs,
        costUsd: s.costUsd,
        failovers: s.failovers,
        ...(s.output !== undefined ? { output: s.output } : {}),
        ...(s.error !== undefined ? { error: { message: s.error.message } } : {}),
      };
    });
  }

  private applyOne(event: E): void {
    if (this.seen.has(event.id)) return;
    this.seen.add(event.id);
    this.events.push(event);
    if (event.at < this.firstAt) this.firstAt = event.at;
    if (event.at > this.lastAt) this.lastAt = event.at;
    if (event.kind === 'execution.succeeded' || event.kind === 'execution.failed') return;
    // A trigger's decisions are not a run of a step: a group's collection instance never runs,
    // and a batch fills before its run starts. They are folded per trigger elsewhere.
    if (event.kind.startsWith('trigger.')) return;
    const state = this.instanceFor(event);
    if (event.kind === 'invocation.billed') {
      this.applyBilled(state, event);
      return;
    }
    state.attempts = Math.max(state.attempts, event.attempt);
    switch (event.kind) {
      case 'step.started':
        this.advance(state, 'running');
        if (state.status === 'running') state.cloud = event.cloud;
        if (state.startedAt === undefined || event.at < state.startedAt) state.startedAt = event.at;
        // The earliest start stamp, whatever order the starts arrive in.
        if (
          event.hlc !== undefined &&
          (state.startHlc === undefined || compareHlc(event.hlc, state.startHlc) < 0)
        ) {
          state.startHlc = event.hlc;
        }
        if (event.input !== undefined) state.input = event.input;
        break;
      case 'step.retrying':
        state.retried = true;
        this.advance(state, 'retrying');
        // A retry's error is shown only until the instance ends (its end carries its own).
        if (event.error && state.status === 'retrying') state.error = event.error;
        break;
      case 'step.succeeded':
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
        state.failovers++;
        state.failedOverTo = event.to ?? event.cloud;
        break;
      // `step.adopted` changes no status: the adopting copy re-emits the committed record's own
      // `step.succeeded` or `step.failed` (same id) beside it, and that event says which.
      default:
        break;
    }
  }

  private applyBilled(state: InstanceState, event: E): void {
    this.costByCloud.set(
      event.cloud,
      (this.costByCloud.get(event.cloud) ?? 0) + (event.costUsd ?? 0),
    );
    state.costUsd += event.costUsd ?? 0;
    state.billedMs += event.billedMs ?? 0;
    state.billedInvocations++;
    if (event.queuedMs === undefined || event.durationMs === undefined) return;
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

  private instanceFor(event: E): InstanceState {
    let state = this.instances.get(event.instance);
    if (!state) {
      state = {
        instance: event.instance,
        node: event.node,
        cloud: event.cloud,
        status: 'pending',
        attempts: 0,
        retried: false,
        failovers: 0,
        invocations: [],
        billedInvocations: 0,
        costUsd: 0,
        billedMs: 0,
        // Every field from the start, in one order: tens of thousands of states then share one
        // shape, and the fold's field accesses stay fast (adding them later made it ~5x slower).
        failedOverTo: undefined,
        startHlc: undefined,
        startedAt: undefined,
        endedAt: undefined,
        durationMs: undefined,
        computeAt: undefined,
        timing: undefined,
        input: undefined,
        output: undefined,
        error: undefined,
      };
      this.instances.set(event.instance, state);
    }
    return state;
  }

  private advance(state: InstanceState, status: InstanceStatus): void {
    if (statusRank[status] > statusRank[state.status]) state.status = status;
  }

  /** Moves to an end state; false when the instance already holds a later one. */
  private finish(state: InstanceState, event: E, status: InstanceStatus): boolean {
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

/**
 * One row per instance of `execution` (every execution when omitted), in start-stamp order.
 *
 * @example
 * summarizeInstances(collector.events(), run.execution).filter((r) => r.status === 'failed');
 */
export function summarizeInstances(
  events: readonly SummaryEvent[],
  execution?: string,
): InstanceRow[] {
  const trace = new TraceSummary();
  trace.apply(execution === undefined ? events : events.filter((e) => e.execution === execution));
  return trace.instanceRows();
}
