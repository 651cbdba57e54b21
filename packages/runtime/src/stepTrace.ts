import type { FunctionIR, ScopeEntry } from '@jointflow/ir';
import { instanceKey } from '@jointflow/ir';
import type { RuntimePorts, TraceEvent, TraceEventKind } from './ports';
import type { StepRecord, SucceededRecord } from './records';
import { applyScopeOp } from './routes';
import { preview, previewRef, tickHlc, traceEventId } from './traceEvents';

/**
 * Trace emission for one delivery of one invocation. Ids are deterministic
 * (`execution/instance/kind/<attempt>`), so every copy that meets a committed record re-emits the
 * same event and the API keeps one. `finish` flushes concurrently with the delivery's invokes:
 * a FaaS sandbox freezes once the handler returns, so both are awaited before it does.
 */
export class StepTrace {
  /** Events emitted so far; `finish` flushes once more if any arrived during the flush. */
  private emitted = 0;

  constructor(
    private readonly ports: RuntimePorts,
    private readonly execution: string,
    private readonly deployment: string,
    private readonly instance: string,
    private readonly node: string,
  ) {}

  /** An event of this instance. `committed` stamps the committing copy's cloud and time. */
  emit(
    kind: TraceEventKind,
    attempt: number,
    fields: Partial<TraceEvent>,
    idAttempt: number | string = attempt,
    committed?: StepRecord,
  ): void {
    const now = this.ports.now();
    this.send({
      id: traceEventId(this.execution, this.instance, kind, idAttempt),
      execution: this.execution,
      deployment: this.deployment,
      instance: this.instance,
      node: this.node,
      kind,
      cloud: committed?.cloud ?? this.ports.cloud,
      attempt,
      hlc: tickHlc(now, this.ports.cloud),
      at: committed?.at ?? now,
      ...fields,
    });
  }

  /** An event about another instance: a skipped branch, a trigger's decision about its run. */
  emitFor(
    instance: string,
    node: string,
    kind: TraceEventKind,
    attempt: number,
    idAttempt: number | string,
    fields: Partial<TraceEvent> = {},
  ): void {
    const now = this.ports.now();
    this.send({
      id: traceEventId(this.execution, instance, kind, idAttempt),
      execution: this.execution,
      deployment: this.deployment,
      instance,
      node,
      kind,
      cloud: this.ports.cloud,
      attempt,
      hlc: tickHlc(now, this.ports.cloud),
      at: now,
      ...fields,
    });
  }

  /**
   * The commit's own event, with the committing copy's attempt in its id. The committing copy
   * passes its output's JSON text and value (a blob-stored output's preview keeps its numbers).
   */
  committed(record: StepRecord, outputText?: string, output?: unknown): void {
    const fields =
      record.status === 'succeeded'
        ? { output: previewRef(record.output, outputText, output), durationMs: record.durationMs }
        : { error: record.error, durationMs: record.durationMs };
    this.emit(
      record.status === 'succeeded' ? 'step.succeeded' : 'step.failed',
      record.attempt,
      fields,
      record.attempt,
      record,
    );
  }

  /**
   * A `ctx.once` event has one id per instance and key, and every copy that meets the memo
   * emits it again: if the copy that ran the effect crashed before flushing, it still arrives.
   */
  once(key: string, attempt: number, memo?: unknown): void {
    this.emit(
      'once.ran',
      attempt,
      {
        input: { onceKey: key },
        ...(memo === undefined ? {} : { output: preview(memo) }),
      },
      `once:${key}`,
    );
  }

  /**
   * A choice marks the first instance of every branch it did not take as skipped, so the live
   * view can grey it out. The id carries the committed attempt: every adopter emits the same.
   */
  skippedBranches(fn: FunctionIR, scope: readonly ScopeEntry[], record: SucceededRecord): void {
    if (fn.kind !== 'choice') return;
    const taken = new Set(record.taken);
    for (const [index, c] of fn.continuations.entries()) {
      if (taken.has(index)) continue;
      const instance = instanceKey(c.target, applyScopeOp(scope, c.scope));
      this.emitFor(instance, c.target, 'step.skipped', record.attempt, record.attempt);
    }
  }

  /** Runs `work` concurrently with the trace flush and waits for both (the sandbox freezes after). */
  async finish<T>(work: () => Promise<T>): Promise<T> {
    const before = this.emitted;
    const [done, flushed] = await Promise.allSettled([work(), this.ports.trace.flush()]);
    if (this.emitted > before) await this.ports.trace.flush();
    if (done.status === 'rejected') throw done.reason;
    if (flushed.status === 'rejected') throw flushed.reason;
    return done.value;
  }

  private send(event: TraceEvent): void {
    this.emitted += 1;
    this.ports.trace.emit(event);
  }
}
