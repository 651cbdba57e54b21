import { createHash, randomBytes } from 'node:crypto';
import type { WorkflowIR } from '@jointflow/ir';
import { parseInstanceKey, scopeKey } from '@jointflow/ir';
import type { TraceEvent } from '@jointflow/runtime';
import { compareHlcStamps, parseHlc, TraceSummary } from '@jointflow/runtime/summary';
import {
  type Attributes,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/**
 * Executions as OpenTelemetry traces over OTLP/HTTP, so a run can be looked at in Jaeger, Tempo
 * or any OTLP backend. On when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the exporter reads those and
 * `OTEL_EXPORTER_OTLP_HEADERS` itself.
 *
 * One trace per execution, its id derived from the execution id (a re-export lands in the same
 * trace): a root span for the execution, a child span per instance from its first start to its
 * commit (cloud, attempt, cost, cold start, queueing as attributes; a failure as an error
 * status), and for a join or trigger run, links to the spans of the instances it collected.
 */

export interface ExecutionExport {
  execution: string;
  workflow: string;
  deployment: string;
  status: 'succeeded' | 'failed';
  ir: WorkflowIR;
  events: readonly TraceEvent[];
}

export interface OtelExporter {
  /** Exports one finished execution (once per process; later calls for it are ignored). */
  exportExecution(run: ExecutionExport): void;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** An exporter when the OTLP environment asks for one, else undefined. */
export function otelExporterFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): OtelExporter | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  return createOtelExporter(new OTLPTraceExporter());
}

/** Trace ids come from the execution id; span ids are random. */
class ExecutionIds implements IdGenerator {
  traceId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return randomBytes(8).toString('hex');
  }
}

export function createOtelExporter(
  exporter: ConstructorParameters<typeof BatchSpanProcessor>[0],
): OtelExporter {
  const ids = new ExecutionIds();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'jointflow' }),
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('jointflow');
  const exported = new Set<string>();

  return {
    exportExecution(run) {
      if (exported.has(run.execution)) return;
      exported.add(run.execution);
      if (exported.size > 10_000) exported.delete(exported.values().next().value as string);
      ids.traceId = createHash('sha256').update(run.execution).digest('hex').slice(0, 32);
      const instances = summarize(run.events);
      const starts = [...instances.values()].map((i) => i.start);
      const ends = [...instances.values()].map((i) => i.end);
      const root = tracer.startSpan(
        `execution ${run.ir.workflow}`,
        {
          kind: SpanKind.INTERNAL,
          startTime: Math.min(...starts, Date.now()),
          attributes: {
            'jointflow.execution': run.execution,
            'jointflow.workflow': run.workflow,
            'jointflow.deployment': run.deployment,
            'jointflow.status': run.status,
            'jointflow.cost_usd': [...instances.values()].reduce((sum, i) => sum + i.costUsd, 0),
          },
        },
        ROOT_CONTEXT,
      );
      const parent = trace.setSpan(ROOT_CONTEXT, root);
      const spans = new Map<string, Span>();
      // In start-stamp order (not wall time: clouds' clocks differ), so a join's branches have
      // spans before the join links to them.
      const ordered = [...instances.values()]
        .map((i) => ({ i, stamp: parseHlc(i.hlc) }))
        .sort((a, b) => compareHlcStamps(a.stamp, b.stamp) || a.i.start - b.i.start)
        .map(({ i }) => i);
      for (const i of ordered) {
        const links: Link[] = collectedBy(run.ir, i.instance, instances).flatMap((source) => {
          const span = spans.get(source);
          return span === undefined ? [] : [{ context: span.spanContext() }];
        });
        const attributes: Attributes = {
          'jointflow.instance': i.instance,
          'jointflow.node': i.node,
          'jointflow.attempt': i.attempt,
          'jointflow.cost_usd': i.costUsd,
          'jointflow.billed_ms': i.billedMs,
          'jointflow.queued_ms': i.queuedMs,
          'jointflow.cold_start_ms': i.coldStartMs,
          'faas.coldstart': i.coldStartMs > 0,
        };
        if (i.cloud !== undefined) attributes['jointflow.cloud'] = i.cloud;
        const span = tracer.startSpan(
          i.node,
          { kind: SpanKind.INTERNAL, startTime: i.start, attributes, links },
          parent,
        );
        if (i.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: i.error });
        span.end(Math.max(i.end, i.start));
        spans.set(i.instance, span);
      }
      if (run.status === 'failed') root.setStatus({ code: SpanStatusCode.ERROR });
      root.end(Math.max(...ends, Math.min(...starts, Date.now())));
    },
    shutdown: () => provider.shutdown(),
  };
}

interface InstanceSpan {
  instance: string;
  node: string;
  start: number;
  end: number;
  /** Its start stamp (hybrid logical clock). */
  hlc?: string;
  cloud?: string;
  attempt: number;
  costUsd: number;
  billedMs: number;
  queuedMs: number;
  coldStartMs: number;
  error?: string;
}

/**
 * Each instance's time span and totals, from the shared fold of its events: from its first
 * start to its committed end or its last invocation's end, whichever is later.
 */
function summarize(events: readonly TraceEvent[]): Map<string, InstanceSpan> {
  const fold = new TraceSummary();
  fold.apply(events);
  const out = new Map<string, InstanceSpan>();
  for (const state of fold.instances.values()) {
    const last = state.invocations[state.invocations.length - 1];
    const start = state.startedAt ?? state.computeAt ?? last?.queuedAt;
    if (start === undefined) continue;
    let queuedMs = 0;
    let coldStartMs = 0;
    for (const i of state.invocations) {
      queuedMs += i.dispatchedAt - i.queuedAt;
      coldStartMs += i.workerAt - i.dispatchedAt;
    }
    const finished = state.status === 'succeeded' || state.status === 'failed';
    out.set(state.instance, {
      instance: state.instance,
      node: state.node,
      start,
      end: Math.max(start, state.endedAt ?? start, last?.endedAt ?? start),
      ...(state.startHlc !== undefined ? { hlc: state.startHlc } : {}),
      ...(finished ? { cloud: state.cloud } : {}),
      attempt: Math.max(1, state.attempts),
      costUsd: state.costUsd,
      billedMs: state.billedMs,
      queuedMs,
      coldStartMs,
      ...(state.status === 'failed' ? { error: state.error?.message ?? 'failed' } : {}),
    });
  }
  return out;
}

/**
 * The instances a join or a trigger run collected: instances of the functions that continue
 * into it, in its scope or below it (a map's branches).
 */
function collectedBy(
  ir: WorkflowIR,
  instance: string,
  instances: ReadonlyMap<string, InstanceSpan>,
): string[] {
  let ref: ReturnType<typeof parseInstanceKey>;
  try {
    ref = parseInstanceKey(instance);
  } catch {
    return [];
  }
  const fn = ir.functions[ref.node];
  if (fn === undefined || (fn.kind !== 'join' && fn.kind !== 'trigger')) return [];
  const sources = new Set(
    Object.values(ir.functions)
      .filter((f) => f.continuations.some((c) => c.target === fn.name))
      .map((f) => f.name),
  );
  const scope = scopeKey(fn.kind === 'trigger' && fn.fansOut ? ref.scope.slice(0, -1) : ref.scope);
  return [...instances.keys()].filter((key) => {
    const slash = key.indexOf('/');
    const node = slash < 0 ? key : key.slice(0, slash);
    const rest = slash < 0 ? '' : key.slice(slash + 1);
    return sources.has(node) && (scope === '' || rest === scope || rest.startsWith(`${scope}/`));
  });
}
