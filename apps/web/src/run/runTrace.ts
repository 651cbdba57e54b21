import { z } from 'zod';

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
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    error: z.object({ message: z.string(), stack: z.string().optional() }).loose().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
  })
  .loose();
export type TraceEventView = z.infer<typeof traceEventSchema>;

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

/** How far along a status is; the view only ever moves an instance forward (events may arrive out of order). */
const statusRank: Record<InstanceStatus, number> = {
  pending: 0,
  running: 1,
  retrying: 2,
  succeeded: 3,
  skipped: 3,
  failed: 3,
};

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
  durationMs?: number;
  costUsd: number;
  input?: unknown;
  output?: unknown;
  error?: { message: string; stack?: string };
}

export type NodeStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface NodeSummary {
  node: string;
  status: NodeStatus;
  instances: number;
  running: number;
  succeeded: number;
  failed: number;
  retried: number;
  failedOver: number;
}

/**
 * Everything the run view shows, folded from trace events. Mutable on purpose: 20,000 events
 * must fold in milliseconds, so `apply` updates in place and bumps `version` for React.
 */
export class RunTrace {
  readonly events: TraceEventView[] = [];
  readonly instances = new Map<string, InstanceState>();
  readonly costByCloud = new Map<string, number>();
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

  get makespanMs(): number {
    return this.lastAt >= this.firstAt ? this.lastAt - this.firstAt : 0;
  }

  get totalCostUsd(): number {
    let sum = 0;
    for (const cost of this.costByCloud.values()) sum += cost;
    return sum;
  }

  nodeSummaries(): Map<string, NodeSummary> {
    const out = new Map<string, NodeSummary>();
    for (const state of this.instances.values()) {
      let summary = out.get(state.node);
      if (!summary) {
        summary = {
          node: state.node,
          status: 'pending',
          instances: 0,
          running: 0,
          succeeded: 0,
          failed: 0,
          retried: 0,
          failedOver: 0,
        };
        out.set(state.node, summary);
      }
      summary.instances++;
      if (state.status === 'running' || state.status === 'retrying') summary.running++;
      if (state.status === 'succeeded') summary.succeeded++;
      if (state.status === 'failed') summary.failed++;
      if (state.retried) summary.retried++;
      if (state.failedOverTo !== undefined) summary.failedOver++;
    }
    for (const summary of out.values()) {
      const skipped = [...this.instances.values()].every(
        (s) => s.node !== summary.node || s.status === 'skipped',
      );
      summary.status =
        summary.failed > 0
          ? 'failed'
          : summary.running > 0
            ? 'running'
            : skipped
              ? 'skipped'
              : summary.succeeded > 0
                ? 'succeeded'
                : 'pending';
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
    if (event.kind === 'invocation.billed') {
      this.costByCloud.set(
        event.cloud,
        (this.costByCloud.get(event.cloud) ?? 0) + (event.costUsd ?? 0),
      );
    }
    const state = this.instanceFor(event);
    if (event.kind === 'invocation.billed') {
      state.costUsd += event.costUsd ?? 0;
      return;
    }
    state.attempts = Math.max(state.attempts, event.attempt);
    switch (event.kind) {
      case 'step.started':
        this.advance(state, 'running');
        state.cloud = event.cloud;
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
        this.finish(state, event, 'succeeded');
        if (event.output !== undefined) state.output = event.output;
        break;
      case 'step.failed':
        this.finish(state, event, 'failed');
        if (event.error) state.error = event.error;
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
      };
      this.instances.set(event.instance, state);
    }
    return state;
  }

  private advance(state: InstanceState, status: InstanceStatus): void {
    if (statusRank[status] > statusRank[state.status]) state.status = status;
  }

  private finish(state: InstanceState, event: TraceEventView, status: InstanceStatus): void {
    this.advance(state, status);
    if (state.status !== status) return;
    state.cloud = event.cloud;
    if (state.endedAt === undefined || event.at > state.endedAt) state.endedAt = event.at;
    if (event.durationMs !== undefined) state.durationMs = event.durationMs;
    if (state.startedAt === undefined && event.durationMs !== undefined) {
      state.startedAt = event.at - event.durationMs;
    }
  }
}
