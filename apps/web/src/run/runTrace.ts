import { traceEventSchema as runtimeTraceEventSchema } from '@jointflow/runtime/messages';
import { TraceSummary } from '@jointflow/runtime/summary';
import { z } from 'zod';

/**
 * A trace event as the API streams it: the runtime's `traceEventSchema` (owned there) plus the
 * API's `seq`, read loosely so the view survives a newer runtime (any `kind`, extra fields) and
 * older stored events (no `execution`, `deployment` or `hlc`; `attempt` 1 when absent).
 */
export const traceEventSchema = runtimeTraceEventSchema
  .partial({ execution: true, deployment: true, hlc: true })
  .extend({
    seq: z.number().optional(),
    kind: z.string(),
    attempt: z.number().default(1),
    error: z.object({ message: z.string(), stack: z.string().optional() }).loose().optional(),
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
  if (e.hlc !== undefined && !isString(e.hlc)) return undefined;
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

export type {
  InstancePhases,
  InstanceState,
  InstanceStatus,
  InvocationTiming,
  StepStatus,
  StepSummary,
} from '@jointflow/runtime/summary';

/**
 * Everything the run view shows, folded from the events the API streams: the shared fold of
 * `@jointflow/runtime/summary` (the API and the CLI use the same one), over the stream's shape.
 */
export class RunTrace extends TraceSummary<TraceEventView> {}
