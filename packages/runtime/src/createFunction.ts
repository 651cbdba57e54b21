import type {
  Continuation,
  FunctionContext,
  FunctionIR,
  ScopeEntry,
  WorkflowIR,
} from '@jointflow/ir';
import { instanceKey } from '@jointflow/ir';
import { z } from 'zod';
import { resolveDataRef, serialize, toDataRef } from './dataRef';
import { evaluate } from './expressions';
import { fillJoinSlot, readJoinSlots } from './joinTree';
import { keys } from './keys';
import type {
  DataRef,
  DeliveryInfo,
  Invocation,
  KeyValueStore,
  RuntimePorts,
  SlotFillState,
  TraceEvent,
  TraceEventKind,
} from './ports';
import { InvokeError } from './ports';
import {
  invocationSchema,
  isTombstone,
  parseStored,
  type ResultRecord,
  resultRecordSchema,
  type SlotValue,
  type StepError,
  type StepRecord,
  type SucceededRecord,
  slotValueSchema,
  stepRecordSchema,
} from './records';
import { applyScopeOp, bindingsOf, decideContinuations, type Route, routesOf } from './routes';
import { RuntimeError } from './runtimeError';
import { preview, previewRef, receiveHlc, tickHlc, traceEventId } from './traceEvents';

/** What user code sees besides its input. */
export interface StepContext {
  execution: string;
  /** The instance key, e.g. `score/map:resize=2/loop:refine=4`. */
  instance: string;
  node: string;
  /** The platform's delivery attempt (1 on the first delivery). */
  attempt: number;
  /** The cloud running this copy. */
  cloud: string;
  /**
   * Runs `fn` at most once per successful memo of this instance and `key`, and returns its
   * (memoised) value. `fn` receives the idempotency key `execution/instance/key`: pass it to the
   * outside system, and the side effect is exactly-once when that system honours it.
   */
  once<T>(key: string, fn: (idempotencyKey: string) => T | Promise<T>): Promise<T>;
}

export type UserHandler = (input: unknown, ctx: StepContext) => unknown | Promise<unknown>;

/** What one invocation did, for the host's logs and for tests. */
export type StepOutcome =
  /** This copy ran the step and its commit won. */
  | { outcome: 'committed'; instance: string; status: 'succeeded'; invoked: number }
  /** This copy ran the step, it failed after its retries, and the failure was committed. */
  | { outcome: 'failed'; instance: string; status: 'failed'; error: StepError }
  /** Another copy had committed (found before running, or it won the commit): its record was used. */
  | {
      outcome: 'adopted';
      instance: string;
      status: 'succeeded' | 'failed';
      via: 'pre-run-read' | 'lost-commit';
      invoked: number;
    }
  /** The execution is closed: a late duplicate exits without effect. */
  | { outcome: 'closed'; instance: string }
  /** An empty map's completion passed through this body function towards the map's join. */
  | { outcome: 'forwarded'; instance: string };

export interface CreateFunctionOptions {
  context: FunctionContext;
  fn: FunctionIR;
  deployment: string;
  /** User code; required for a task and for a join with code. */
  handler?: UserHandler;
  ports: RuntimePorts;
  /**
   * The whole IR, optional. A function's own config does not say where a map's join runs (for
   * an empty map) or where a join completed by a skip token runs; with the whole IR the runtime
   * finds them. Without it, those rare paths fail with RUNTIME_JOIN_UNREACHABLE.
   */
  workflow?: WorkflowIR;
}

/** Outputs up to this size are stored inline in the checkpoint; larger ones as a blob. */
export const RECORD_INLINE_LIMIT_BYTES = 64 * 1024;
/**
 * Slot values up to this size sit inline in the join's slot record; larger ones as blobs, so a
 * wide join's record stays small (the join resolves the blobs, 64 at a time).
 */
export const SLOT_INLINE_LIMIT_BYTES = 16 * 1024;
/** Invokes in flight at once from one invocation (a big map fans out in waves). */
export const INVOKE_CONCURRENCY = 64;
const RETRY_BASE_MS = 5;
const RETRY_MAX_MS = 100;

const onceMemoSchema = z.object({ value: z.unknown() });

/** A port failed while user code ran (inside `ctx.once`): an infrastructure error, not a step failure. */
class PortFailure extends Error {
  constructor(readonly failure: unknown) {
    super('port failure inside user code');
  }
}

/** The execution was closed under us: exit without effect. */
class ExecutionClosed extends Error {
  constructor() {
    super('execution closed');
  }
}

function hasCode(fn: FunctionIR): boolean {
  return fn.kind === 'task' || (fn.kind === 'join' && fn.code.trim() !== '');
}

function toStepError(error: unknown): StepError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      message: error.message.slice(0, 4096),
      ...(error.stack === undefined ? {} : { stack: error.stack.slice(0, 8192) }),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { message: String(error).slice(0, 4096) };
}

async function boundedAll<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Wraps one function of a workflow with the execution protocol of DESIGN.md and returns the
 * handler a host calls once per delivery. Per invocation: an optional pre-run checkpoint read
 * (duplicate flag, platform retry, or an expensive node), the user code with in-process retries,
 * one put-if-absent commit of output and decisions (adopting the winner's record on conflict),
 * then the committed routes: skip tokens, join slot fills, invokes with failover, the execution
 * result; trace events are flushed concurrently with the invokes.
 *
 * @example
 * const run = createFunction({ context, fn: ir.functions.resize, deployment: 'd1', handler, ports });
 * const outcome = await run(invocation, { attempt: 1, platformRetry: false });
 */
export function createFunction(
  options: CreateFunctionOptions,
): (invocation: Invocation, delivery: DeliveryInfo) => Promise<StepOutcome> {
  const { context, fn, deployment, handler, ports, workflow } = options;
  if (fn.kind === 'trigger') {
    throw new RuntimeError(
      'RUNTIME_TRIGGER_UNSUPPORTED',
      `"${fn.name}" is a data trigger, which this runtime does not run yet; replace it with a join or a map`,
    );
  }
  if (hasCode(fn) && handler === undefined) {
    throw new RuntimeError(
      'RUNTIME_NO_HANDLER',
      `function "${fn.name}" (${fn.kind}) runs user code but no handler was given; bundle the node's code with the runtime`,
    );
  }
  return (raw, delivery) => {
    const invocation = invocationSchema.parse(raw);
    if (invocation.fn !== fn.name) {
      throw new RuntimeError(
        'RUNTIME_WRONG_FUNCTION',
        `invocation for "${invocation.fn}" reached function "${fn.name}"; check the deployment's routing`,
      );
    }
    if (invocation.irVersion !== context.irVersion) {
      throw new RuntimeError(
        'RUNTIME_IR_VERSION_MISMATCH',
        `execution ${invocation.execution} is pinned to IR ${invocation.irVersion} but this function was deployed with ${context.irVersion}; invoke the deployment the execution started on`,
      );
    }
    return new StepRun(
      context,
      fn,
      deployment,
      handler,
      ports,
      workflow,
      invocation,
      delivery,
    ).run();
  };
}

/**
 * The `joinSlots` field for the invocation of a join whose record `fill` completed: the slot
 * values when the store returned them and they fit the edge's inline limit, else nothing (the
 * join then reads its slot record).
 */
function carriedSlots(fill: SlotFillState, limitBytes: number): Pick<Invocation, 'joinSlots'> {
  if (fill.values === undefined || fill.values.length !== fill.size) return {};
  return serialize(fill.values).bytes <= limitBytes ? { joinSlots: fill.values } : {};
}

/** One delivery of one invocation: the protocol's state lives here for its duration. */
class StepRun {
  private readonly instance: string;
  private readonly execution: string;
  private readonly home: KeyValueStore;
  private readonly checkpointKey: string;
  private readonly closedKey: string;
  private emitted = 0;
  /** Keys of the `ctx.once` calls made by this copy's user code, in call order. */
  private readonly onceKeys = new Set<string>();

  constructor(
    private readonly context: FunctionContext,
    private readonly fn: FunctionIR,
    private readonly deployment: string,
    private readonly handler: UserHandler | undefined,
    private readonly ports: RuntimePorts,
    private readonly workflow: WorkflowIR | undefined,
    private readonly invocation: Invocation,
    private readonly delivery: DeliveryInfo,
  ) {
    this.execution = invocation.execution;
    this.instance = instanceKey(fn.name, invocation.scope);
    this.home = ports.store(fn.homeStore);
    this.checkpointKey = keys.checkpoint(this.execution, this.instance);
    this.closedKey = keys.closed(this.execution);
  }

  async run(): Promise<StepOutcome> {
    const { invocation, delivery, fn } = this;
    receiveHlc(invocation.hlc, this.ports.now());
    if (invocation.emptyMap !== undefined) return this.forwardEmptyMap(invocation.emptyMap);
    this.emit('step.started', delivery.attempt, { input: previewRef(invocation.input) });

    // Step 1: the pre-run read, only where a duplicate is possible or a rerun is costly.
    if (invocation.possibleDuplicate === true || delivery.platformRetry || fn.expensive) {
      const [existing, closed] = await this.home.getMany([this.checkpointKey, this.closedKey]);
      if (closed !== undefined || isTombstone(existing)) return this.closed();
      if (existing !== undefined) {
        const record = parseStored(stepRecordSchema, existing, this.checkpointKey);
        return this.adopt(record, 'pre-run-read');
      }
    }

    // Step 2: run (with in-process retries), then commit output and decisions in one write.
    const started = this.ports.now();
    const collected = fn.kind === 'join' && invocation.joinReady === true;
    const input = collected
      ? await this.collectJoinInput()
      : await resolveDataRef(invocation.input, (c) => this.ports.blobs(c));

    let attempt = 0;
    let candidate: Planned | undefined;
    let failure: StepError | undefined;
    for (;;) {
      try {
        candidate = await this.compute(input, started);
        break;
      } catch (error) {
        if (error instanceof PortFailure) throw error.failure;
        if (error instanceof ExecutionClosed) return this.closed();
        const retryable = !(error instanceof RuntimeError) || error.retryable;
        if (!retryable || attempt >= fn.retries) {
          failure = toStepError(error);
          break;
        }
        attempt += 1;
        this.emit(
          'step.retrying',
          delivery.attempt,
          { error: toStepError(error) },
          `${delivery.attempt}.${attempt}`,
        );
        await sleep(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt));
      }
    }

    this.ports.faultPoint?.('before-commit', this.instance);
    // A failure keeps its input for a rerun; a join's collected input is stored only then.
    const record: StepRecord = candidate?.record ?? {
      v: 1,
      status: 'failed',
      attempt: delivery.attempt,
      cloud: this.ports.cloud,
      at: started,
      durationMs: this.ports.now() - started,
      error: failure ?? { message: 'unknown failure' },
      input: collected ? await this.recordRef(input) : invocation.input,
      ...this.onceField(),
    };
    // One conditional write on one item. After the execution was closed the item holds a
    // tombstone, so a late duplicate loses here as to any other winner, and exits.
    const result = await this.home.putIfAbsent(this.checkpointKey, record);
    if (!result.won) {
      if (isTombstone(result.existing)) return this.closed();
      const winner = parseStored(stepRecordSchema, result.existing, this.checkpointKey);
      return this.adopt(winner, 'lost-commit');
    }
    this.ports.faultPoint?.('after-commit', this.instance);
    this.emitCommitted(record, candidate?.outputText);

    // Step 3: act on the committed record.
    if (record.status === 'failed') {
      await this.finish(() => this.commitFailedResult(record));
      return { outcome: 'failed', instance: this.instance, status: 'failed', error: record.error };
    }
    const planned = candidate;
    if (planned === undefined) throw new RuntimeError('RUNTIME_INTERNAL', 'success without a plan');
    const invoked = await this.finish(() => this.follow(record, planned, false));
    return { outcome: 'committed', instance: this.instance, status: 'succeeded', invoked };
  }

  /**
   * Passes an empty map's completion on through the map's body: no user code, no commit. The
   * function that leaves the body into the map's join invokes that join with `[]`; any other
   * follows one path (a loop's exit, else its first continuation; every path of a map body
   * reaches the join). Duplicates are absorbed by the join's checkpoint.
   */
  private async forwardEmptyMap(map: string): Promise<StepOutcome> {
    const { fn } = this;
    const scope = this.invocation.scope;
    const exit = fn.continuations.find(
      (c) => c.mode === 'join' && c.join?.slot.kind === 'map-index' && c.join.slot.map === map,
    );
    const next =
      exit ??
      (fn.kind === 'loop'
        ? fn.continuations.find((c) => c.scope.op !== 'bump-loop')
        : fn.continuations[0]);
    if (next === undefined) {
      throw new RuntimeError(
        'RUNTIME_BAD_IR',
        `"${fn.name}" is in the body of map "${map}" but has no way to its join; recompile the workflow`,
      );
    }
    let target: ScopeEntry[];
    if (next.mode === 'each' && next.scope.op === 'push-map') {
      target = [...scope, { kind: 'map', name: next.scope.map, index: 0, count: 0 }];
    } else {
      target = applyScopeOp(scope, next.scope);
    }
    await this.finish(() =>
      this.invoke([next.cloud, ...next.failover], {
        fn: next.target,
        scope: target,
        ...(exit === undefined
          ? { input: { inline: null }, emptyMap: map }
          : { input: { inline: [] } }),
      }),
    );
    return { outcome: 'forwarded', instance: this.instance };
  }

  /** Runs the node's work and evaluates every decision and continuation input, before the commit. */
  private async compute(input: unknown, started: number): Promise<Planned> {
    const { fn } = this;
    let output: unknown;
    let mapCount: number | undefined;
    switch (fn.kind) {
      case 'task':
        output = await this.callHandler(input);
        break;
      case 'join':
        output = hasCode(fn) ? await this.callHandler(input) : input;
        break;
      case 'map': {
        const items = await evaluate(fn.items, input, bindingsOf(fn, this.invocation.scope));
        if (!Array.isArray(items)) {
          throw new RuntimeError(
            'RUNTIME_MAP_NOT_ARRAY',
            `map "${fn.name}": items expression "${fn.items}" gave ${typeof items}, not an array; fix the expression or the input`,
          );
        }
        if (items.length > fn.maxItems) {
          throw new RuntimeError(
            'RUNTIME_MAP_TOO_MANY',
            `map "${fn.name}" got ${items.length} items, more than its maxItems ${fn.maxItems}; raise maxItems or split the input`,
          );
        }
        output = items;
        mapCount = items.length;
        break;
      }
      case 'choice':
      case 'loop':
        output = input;
        break;
      case 'trigger':
        throw new RuntimeError('RUNTIME_TRIGGER_UNSUPPORTED', `"${fn.name}" is a data trigger`);
    }
    // Normalise to JSON now, so the winner routes on exactly what an adopting copy will read.
    const outputText = serialize(output).text;
    output = JSON.parse(outputText) as unknown;
    const taken = await decideContinuations(fn, output, this.invocation.scope);
    const record: SucceededRecord = {
      v: 1,
      status: 'succeeded',
      attempt: this.delivery.attempt,
      cloud: this.ports.cloud,
      at: started,
      durationMs: this.ports.now() - started,
      output: { inline: null },
      taken,
      ...(mapCount === undefined ? {} : { mapCount }),
      ...this.onceField(),
    };
    const plan = await this.plan(record, output, outputText);
    record.output = await this.recordRef(output, outputText);
    return plan;
  }

  private onceField(): { once?: string[] } {
    return this.onceKeys.size === 0 ? {} : { once: [...this.onceKeys] };
  }

  private async callHandler(input: unknown): Promise<unknown> {
    if (this.handler === undefined)
      throw new RuntimeError('RUNTIME_NO_HANDLER', `"${this.fn.name}" has no handler`);
    return this.handler(input, this.stepContext());
  }

  private stepContext(): StepContext {
    const { execution, instance, fn, delivery, ports } = this;
    return {
      execution,
      instance,
      node: fn.name,
      attempt: delivery.attempt,
      cloud: ports.cloud,
      once: (key, effect) => this.once(key, effect),
    };
  }

  private async once<T>(
    key: string,
    effect: (idempotencyKey: string) => T | Promise<T>,
  ): Promise<T> {
    const memoKey = keys.once(this.execution, this.instance, key);
    let existing: unknown;
    try {
      existing = await this.home.get(memoKey);
    } catch (error) {
      throw new PortFailure(error);
    }
    if (isTombstone(existing)) throw new ExecutionClosed();
    if (existing !== undefined) {
      const memo = parseStored(onceMemoSchema, existing, memoKey).value;
      this.emitOnce(key, memo);
      return memo as T;
    }
    const value = await effect(keys.idempotency(this.execution, this.instance, key));
    const stored = JSON.parse(serialize(value).text) as unknown;
    let result: Awaited<ReturnType<KeyValueStore['putIfAbsent']>>;
    try {
      result = await this.home.putIfAbsent(memoKey, { value: stored });
    } catch (error) {
      throw new PortFailure(error);
    }
    if (!result.won && isTombstone(result.existing)) throw new ExecutionClosed();
    const memo = result.won ? stored : parseStored(onceMemoSchema, result.existing, memoKey).value;
    this.emitOnce(key, memo);
    return memo as T;
  }

  /**
   * The once event has one id per instance and key, and every copy that meets the memo emits
   * it again: if the copy that ran the effect crashed before flushing, the event still arrives.
   */
  private emitOnce(key: string, memo: unknown): void {
    this.onceKeys.add(key);
    this.emit(
      'once.ran',
      this.delivery.attempt,
      { input: { onceKey: key }, output: preview(memo) },
      `once:${key}`,
    );
  }

  /** The input of a join whose slot record is complete: slot values in order, skips left out. */
  private async collectJoinInput(): Promise<unknown> {
    const { fn } = this;
    if (fn.kind !== 'join') throw new RuntimeError('RUNTIME_BAD_IR', `"${fn.name}" is not a join`);
    const key = keys.join(this.execution, fn.name, this.invocation.scope);
    // The branch that completed the record carried its values; otherwise read them.
    const slots =
      this.invocation.joinSlots ?? (await readJoinSlots(this.ports.store(fn.store), key));
    const values: SlotValue[] = slots.map((slot, index) => {
      if (slot === undefined) {
        throw new RuntimeError(
          'RUNTIME_JOIN_INCOMPLETE',
          `join "${fn.name}" was invoked as ready but slot ${index} of ${key} is empty`,
          { retryable: true },
        );
      }
      return parseStored(slotValueSchema, slot, key);
    });
    const taken = values.filter((v): v is Extract<SlotValue, { ref: DataRef }> => 'ref' in v);
    const resolved: unknown[] = new Array(taken.length);
    await boundedAll(
      taken.map((_, i) => i),
      INVOKE_CONCURRENCY,
      async (i) => {
        const slot = taken[i];
        if (slot !== undefined) {
          resolved[i] = await resolveDataRef(slot.ref, (c) => this.ports.blobs(c));
        }
      },
    );
    if (fn.collect === 'array') return resolved;
    if (resolved.length !== 1) {
      throw new RuntimeError(
        'RUNTIME_JOIN_NOT_ONE_TAKEN',
        `join "${fn.name}" collects the taken branch but ${resolved.length} branches arrived; check the choice's guards`,
      );
    }
    return resolved[0];
  }

  private recordRef(value: unknown, serialized?: string): Promise<DataRef> {
    return toDataRef(value, {
      ...(serialized === undefined ? {} : { serialized }),
      mode: 'auto',
      limitBytes: RECORD_INLINE_LIMIT_BYTES,
      cloud: this.fn.homeStore,
      blobs: this.ports.blobs(this.fn.homeStore),
    });
  }

  /**
   * The routes of a record and the value each carries (the output, or one element of it,
   * through the edge's mapping). Evaluated before the commit, so a failing mapping is a step
   * failure; an adopting copy evaluates the same expressions over the committed output.
   */
  private async plan(
    record: SucceededRecord,
    output: unknown,
    outputText = serialize(output).text,
  ): Promise<Planned> {
    const routes = routesOf(this.fn, record, this.invocation.scope, this.workflow);
    const values: unknown[] = [];
    for (const route of routes) {
      if (route.kind !== 'invoke' && route.kind !== 'fill') {
        values.push(undefined);
        continue;
      }
      const c = this.fn.continuations[route.continuation] as Continuation;
      const element = route.kind === 'invoke' ? route.element : undefined;
      const base = element === undefined ? output : (output as unknown[])[element];
      const bindings = { ...bindingsOf(this.fn, this.invocation.scope), index: element };
      const value = c.mapping === undefined ? base : await evaluate(c.mapping, base, bindings);
      if (c.transfer === 'inline') {
        const { bytes } = serialize(value);
        if (bytes > c.inlineLimitBytes) {
          throw new RuntimeError(
            'RUNTIME_PAYLOAD_TOO_LARGE',
            `the input for "${c.target}" is ${bytes} bytes, over its inline limit of ${c.inlineLimitBytes}; set the target's transfer to "auto" or "blob"`,
          );
        }
      }
      values.push(value);
    }
    return { record, routes, values, outputText };
  }

  /** Uses another copy's committed record: its output and decisions, never our own. */
  private async adopt(
    record: StepRecord,
    via: 'pre-run-read' | 'lost-commit',
  ): Promise<StepOutcome> {
    // Re-emit the commit's own event (same id): if the winner crashed before flushing, it is
    // delivered now; if not, the API deduplicates it.
    this.emitCommitted(record);
    for (const key of record.once ?? []) {
      this.emit('once.ran', this.delivery.attempt, { input: { onceKey: key } }, `once:${key}`);
    }
    this.emit('step.adopted', this.delivery.attempt, { output: previewOf(record) });
    if (record.status === 'failed') {
      await this.finish(() => this.commitFailedResult(record));
      return { outcome: 'adopted', instance: this.instance, status: 'failed', via, invoked: 0 };
    }
    const invoked = await this.finish(async () => {
      const output = await resolveDataRef(record.output, (c) => this.ports.blobs(c));
      return this.follow(record, await this.plan(record, output), true);
    });
    return { outcome: 'adopted', instance: this.instance, status: 'succeeded', via, invoked };
  }

  /** Runs `work` concurrently with the trace flush and waits for both (the sandbox freezes after). */
  private async finish<T>(work: () => Promise<T>): Promise<T> {
    const before = this.emitted;
    const [done, flushed] = await Promise.allSettled([work(), this.ports.trace.flush()]);
    if (this.emitted > before) await this.ports.trace.flush();
    if (done.status === 'rejected') throw done.reason;
    if (flushed.status === 'rejected') throw flushed.reason;
    return done.value;
  }

  /**
   * Performs the routes of a committed success. Skip tokens go first, so that a branch taken
   * after them always finds them in place and is the one that completes its join.
   */
  private async follow(record: SucceededRecord, plan: Planned, flagged: boolean): Promise<number> {
    this.ports.faultPoint?.('before-invoke', this.instance);
    this.emitSkippedBranches(record);
    let invoked = 0;
    const count = (n: number) => {
      invoked += n;
    };
    const indexes = plan.routes.map((_, i) => i);
    const skips = indexes.filter((i) => plan.routes[i]?.kind === 'skip');
    const rest = indexes.filter((i) => plan.routes[i]?.kind !== 'skip');
    const performAt = async (i: number) => {
      const route = plan.routes[i];
      if (route !== undefined) count(await this.perform(route, plan, plan.values[i], flagged));
    };
    await Promise.all(skips.map(performAt));
    await boundedAll(rest, INVOKE_CONCURRENCY, performAt);
    return invoked;
  }

  private async perform(
    route: Route,
    plan: Planned,
    value: unknown,
    flagged: boolean,
  ): Promise<number> {
    const { record } = plan;
    switch (route.kind) {
      case 'invoke': {
        const c = this.fn.continuations[route.continuation] as Continuation;
        const input = await this.transferRef(
          value,
          c,
          route.element === undefined && c.mapping === undefined ? plan : undefined,
        );
        await this.invoke([c.cloud, ...c.failover], {
          fn: route.target,
          scope: route.scope,
          input,
          ...(flagged ? { possibleDuplicate: true } : {}),
        });
        return 1;
      }
      case 'fill': {
        const c = this.fn.continuations[route.continuation] as Continuation;
        const ref = await this.transferRef(
          value,
          c,
          c.mapping === undefined ? plan : undefined,
          true,
        );
        const key = keys.join(this.execution, route.join.join, route.joinScope);
        const store = this.ports.store(route.join.store);
        const fill = await fillJoinSlot(store, key, route.slot, route.size, {
          ref,
        } satisfies SlotValue);
        // A sealed record: the execution was closed under this late copy; nothing to do.
        if ('sealed' in fill || fill.filled < fill.size) return 0;
        await this.invoke([c.cloud, ...c.failover], {
          fn: route.join.join,
          scope: route.joinScope,
          input: { inline: null },
          joinReady: true,
          ...carriedSlots(fill, c.inlineLimitBytes),
          ...(flagged || !fill.newlyFilled ? { possibleDuplicate: true } : {}),
        });
        return 1;
      }
      case 'empty-map': {
        if (route.join === undefined || route.location === undefined) {
          // Where the join runs is unknown here: walk the body to the function that joins.
          const c = this.fn.continuations[route.continuation] as Continuation;
          const map = c.scope.op === 'push-map' ? c.scope.map : this.fn.name;
          await this.invoke([c.cloud, ...c.failover], {
            fn: c.target,
            scope: [...route.joinScope, { kind: 'map', name: map, index: 0, count: 0 }],
            input: { inline: null },
            emptyMap: map,
          });
          return 1;
        }
        const location = route.location;
        await this.invoke([location.cloud, ...location.failover], {
          fn: route.join,
          scope: route.joinScope,
          input: { inline: [] },
          ...(flagged ? { possibleDuplicate: true } : {}),
        });
        return 1;
      }
      case 'result':
        await this.commitSucceededResult(record);
        return 0;
      case 'skip':
        return this.fillSkip(route, flagged);
    }
  }

  private async fillSkip(
    route: Extract<Route, { kind: 'skip' }>,
    flagged: boolean,
  ): Promise<number> {
    const key = keys.join(this.execution, route.join.join, route.joinScope);
    const store = this.ports.store(route.join.store);
    const fill = await fillJoinSlot(store, key, route.slot, route.size, {
      skip: true,
    } satisfies SlotValue);
    if ('sealed' in fill) return 0;
    // Skips are filled before the taken branches are invoked, so a taken branch completes the
    // record; a skip that finds it already complete leaves the join to that branch.
    if (fill.filled < fill.size || !fill.newlyFilled) return 0;
    const location = this.requireLocation(route.location, route.join.join);
    // The inline limit toward the join is known when this function also continues to it.
    const limit = this.fn.continuations.find((c) => c.target === route.join.join)?.inlineLimitBytes;
    await this.invoke([location.cloud, ...location.failover], {
      fn: route.join.join,
      scope: route.joinScope,
      input: { inline: null },
      joinReady: true,
      ...(limit === undefined ? {} : carriedSlots(fill, limit)),
      ...(flagged || !fill.newlyFilled ? { possibleDuplicate: true } : {}),
    });
    return 1;
  }

  private requireLocation(
    location: { cloud: string; failover: string[] } | undefined,
    join: string,
  ): { cloud: string; failover: string[] } {
    if (location !== undefined) return location;
    throw new RuntimeError(
      'RUNTIME_JOIN_UNREACHABLE',
      `"${this.fn.name}" must invoke join "${join}" but its config does not say where that join runs; deploy the function with the whole workflow IR (createFunction's workflow option)`,
    );
  }

  /** The DataRef a continuation carries: reuses the output's blob, else sizes against the edge's limit. */
  private transferRef(
    value: unknown,
    c: Continuation,
    /** Given when `value` is the step's output itself: reuse its blob or its JSON text. */
    sameAsOutput: Planned | undefined,
    intoSlot = false,
  ): Promise<DataRef> {
    if (sameAsOutput !== undefined && 'blob' in sameAsOutput.record.output) {
      return Promise.resolve(sameAsOutput.record.output);
    }
    return toDataRef(value, {
      ...(sameAsOutput === undefined ? {} : { serialized: sameAsOutput.outputText }),
      mode: c.transfer,
      limitBytes: intoSlot
        ? Math.min(c.inlineLimitBytes, SLOT_INLINE_LIMIT_BYTES)
        : c.inlineLimitBytes,
      cloud: this.fn.homeStore,
      blobs: this.ports.blobs(this.fn.homeStore),
    });
  }

  /** Invokes on the primary cloud, then each replica in order while the cloud refuses. */
  private async invoke(
    clouds: string[],
    partial: Pick<Invocation, 'fn' | 'scope' | 'input'> & Partial<Invocation>,
  ): Promise<void> {
    const invocation: Invocation = {
      execution: this.execution,
      deployment: this.invocation.deployment,
      irVersion: this.context.irVersion,
      ...partial,
      hlc: tickHlc(this.ports.now(), this.ports.cloud),
    };
    let lastError: unknown;
    for (const [i, cloud] of clouds.entries()) {
      try {
        await this.ports.invoker.invokeAsync(cloud, invocation);
        return;
      } catch (error) {
        if (!(error instanceof InvokeError)) throw error;
        lastError = error;
        const next = clouds[i + 1];
        if (next !== undefined) {
          const target = instanceKey(invocation.fn, invocation.scope);
          this.emit(
            'invoke.failover',
            this.delivery.attempt,
            { from: cloud, to: next, output: { target } },
            `${this.delivery.attempt}.${target}.${next}`,
          );
        }
      }
    }
    throw lastError;
  }

  private async commitSucceededResult(record: SucceededRecord): Promise<void> {
    const result: ResultRecord = {
      status: 'succeeded',
      output: record.output,
      instance: this.instance,
      at: this.ports.now(),
    };
    const put = await this.ports
      .store(this.context.resultStore)
      .putIfAbsent(keys.result(this.execution), result);
    if (this.resultIsOurs(put, 'succeeded')) {
      this.emit(
        'execution.succeeded',
        record.attempt,
        { output: previewRef(record.output) },
        record.attempt,
      );
    }
  }

  private async commitFailedResult(
    record: Extract<StepRecord, { status: 'failed' }>,
  ): Promise<void> {
    const result: ResultRecord = {
      status: 'failed',
      error: record.error,
      instance: this.instance,
      fn: this.fn.name,
      scope: this.invocation.scope,
      input: record.input,
      homeStore: this.fn.homeStore,
      clouds: [this.fn.cloud, ...this.fn.failover],
      at: this.ports.now(),
    };
    const put = await this.ports
      .store(this.context.resultStore)
      .putIfAbsent(keys.result(this.execution), result);
    if (this.resultIsOurs(put, 'failed')) {
      this.emit('execution.failed', record.attempt, { error: record.error }, record.attempt);
    }
  }

  /** True when the stored result is the one this instance committed (now or by an earlier copy). */
  private resultIsOurs(
    put: Awaited<ReturnType<KeyValueStore['putIfAbsent']>>,
    status: 'succeeded' | 'failed',
  ): boolean {
    if (put.won) return true;
    const existing = resultRecordSchema.safeParse(put.existing);
    return (
      existing.success &&
      existing.data.status === status &&
      existing.data.instance === this.instance
    );
  }

  /**
   * A choice marks the first instance of every branch it did not take as skipped, so the live
   * view can grey it out. The id carries the committed attempt: every adopter emits the same.
   */
  private emitSkippedBranches(record: SucceededRecord): void {
    if (this.fn.kind !== 'choice') return;
    const taken = new Set(record.taken);
    for (const [index, c] of this.fn.continuations.entries()) {
      if (taken.has(index)) continue;
      const instance = instanceKey(c.target, applyScopeOp(this.invocation.scope, c.scope));
      this.ports.trace.emit({
        id: traceEventId(this.execution, instance, 'step.skipped', record.attempt),
        execution: this.execution,
        deployment: this.deployment,
        instance,
        node: c.target,
        kind: 'step.skipped',
        cloud: this.ports.cloud,
        attempt: record.attempt,
        hlc: tickHlc(this.ports.now(), this.ports.cloud),
        at: this.ports.now(),
      });
      this.emitted += 1;
    }
  }

  private closed(): StepOutcome {
    return { outcome: 'closed', instance: this.instance };
  }

  private emitCommitted(record: StepRecord, outputText?: string): void {
    const fields =
      record.status === 'succeeded'
        ? { output: previewRef(record.output, outputText), durationMs: record.durationMs }
        : { error: record.error, durationMs: record.durationMs };
    this.emit(
      record.status === 'succeeded' ? 'step.succeeded' : 'step.failed',
      record.attempt,
      fields,
      record.attempt,
      record,
    );
  }

  private emit(
    kind: TraceEventKind,
    attempt: number,
    fields: Partial<TraceEvent>,
    idAttempt: number | string = attempt,
    committed?: StepRecord,
  ): void {
    const now = this.ports.now();
    this.emitted += 1;
    this.ports.trace.emit({
      id: traceEventId(this.execution, this.instance, kind, idAttempt),
      execution: this.execution,
      deployment: this.deployment,
      instance: this.instance,
      node: this.fn.name,
      kind,
      cloud: committed?.cloud ?? this.ports.cloud,
      attempt,
      hlc: tickHlc(now, this.ports.cloud),
      at: committed?.at ?? now,
      ...fields,
    });
  }
}

interface Planned {
  record: SucceededRecord;
  routes: Route[];
  /** Aligned with `routes`: the value an invoke or a fill carries. */
  values: unknown[];
  /** JSON text of the output. */
  outputText: string;
}

function previewOf(record: StepRecord): unknown {
  return record.status === 'succeeded'
    ? previewRef(record.output)
    : { error: record.error.message };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type { ScopeEntry };
