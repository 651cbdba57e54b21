import type { TraceEvent, TraceEventKind } from '@jointflow/runtime';

export type InstanceStatus =
  | 'started'
  | 'retrying'
  | 'succeeded'
  | 'adopted'
  | 'failed'
  | 'skipped';

export interface InstanceSummary {
  instance: string;
  node: string;
  cloud: string;
  status: InstanceStatus;
  attempts: number;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number | null;
  billedMs: number;
  costUsd: number;
  failovers: number;
  output?: unknown;
  error?: { message: string };
}

const statusOfKind: Partial<Record<TraceEventKind, InstanceStatus>> = {
  'step.started': 'started',
  'step.retrying': 'retrying',
  'step.succeeded': 'succeeded',
  'step.adopted': 'adopted',
  'step.failed': 'failed',
  'step.skipped': 'skipped',
};

/** Status only moves forward: an end state is never replaced by a late `started`. */
const rank: Record<InstanceStatus, number> = {
  started: 0,
  retrying: 1,
  skipped: 2,
  failed: 3,
  adopted: 4,
  succeeded: 5,
};

/**
 * Folds an execution's trace events into one row per instance. Events may arrive in any order
 * (they come from several clouds), so each field is combined order-independently.
 */
export function summarizeInstances(events: readonly TraceEvent[]): InstanceSummary[] {
  const byInstance = new Map<string, InstanceSummary>();
  for (const event of events) {
    if (event.kind === 'execution.succeeded' || event.kind === 'execution.failed') continue;
    let row = byInstance.get(event.instance);
    if (row === undefined) {
      row = {
        instance: event.instance,
        node: event.node,
        cloud: event.cloud,
        status: 'started',
        attempts: 0,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        billedMs: 0,
        costUsd: 0,
        failovers: 0,
      };
      byInstance.set(event.instance, row);
    }
    row.attempts = Math.max(row.attempts, event.attempt);
    if (event.kind === 'invocation.billed') {
      row.billedMs += event.billedMs ?? 0;
      row.costUsd += event.costUsd ?? 0;
      continue;
    }
    if (event.kind === 'invoke.failover') {
      row.failovers += 1;
      continue;
    }
    if (event.kind === 'step.started') {
      row.startedAt = row.startedAt === null ? event.at : Math.min(row.startedAt, event.at);
    }
    const status = statusOfKind[event.kind];
    if (status !== undefined && rank[status] >= rank[row.status]) {
      row.status = status;
      row.cloud = event.cloud;
      if (status !== 'started' && status !== 'retrying') {
        row.finishedAt = event.at;
        if (event.durationMs !== undefined) row.durationMs = event.durationMs;
        if (event.output !== undefined) row.output = event.output;
        if (event.error !== undefined) row.error = { message: event.error.message };
      }
    }
  }
  for (const row of byInstance.values()) {
    if (row.durationMs === null && row.startedAt !== null && row.finishedAt !== null) {
      row.durationMs = row.finishedAt - row.startedAt;
    }
  }
  return [...byInstance.values()].sort(
    (a, b) =>
      (a.startedAt ?? Number.MAX_SAFE_INTEGER) - (b.startedAt ?? Number.MAX_SAFE_INTEGER) ||
      a.instance.localeCompare(b.instance),
  );
}
