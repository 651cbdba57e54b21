import type {
  Continuation,
  FunctionContext,
  FunctionIR,
  ScopeEntry,
  WorkflowIR,
} from '@jointflow/ir';
import { instanceKey } from '@jointflow/ir';
import { resolveDataRef, serialize, toDataRef } from './dataRef';
import { evaluate } from './expressions';
import { collectJoinInput, fillJoinRoute, fillSkipRoute } from './joins';
import { keys } from './keys';
import { startNextElement } from './mapNextElement';
import { invocationSchema } from './messages';
import { ExecutionClosed, PortFailure, runOnce } from './once';
import type { DataRef, DeliveryInfo, Invocation, RuntimePorts } from './ports';
import {
  isTombstone,
  parseStored,
  type StepError,
  type StepRecord,
  type SucceededRecord,
  startRecordSchema,
  stepRecordSchema,
} from './records';
import { commitFailedResult, commitSucceededResult } from './results';
import { applyScopeOp, bindingsOf, decideContinuations, type Route, routesOf } from './routes';
import { RuntimeError } from './runtimeError';
import {
  boundedAll,
  INVOKE_CONCURRENCY,
  invokeWithFailover,
  RECORD_INLINE_LIMIT_BYTES,
  SLOT_INLINE_LIMIT_BYTES,
  type StepEnv,
  transferRef,
} from './stepEnv';
import { StepTrace } from './stepTrace';
import { previewRef, receiveHlc } from './traceEvents';
import {
  type BucketObject,
  collectTriggerInput,
  deliverToTrigger,
  emptyBucket,
  MAX_EMITS_PER_STEP,
} from './triggers';

export { INVOKE_CONCURRENCY, RECORD_INLINE_LIMIT_BYTES, SLOT_INLINE_LIMIT_BYTES };

/** What user code sees besides its input. */
export interface StepContext {
  execution: string;
  /** The workflow's name (the graph's), as compiled into this function. */
  workflow: string;
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
  /**
   * Puts an object into the bucket of every data trigger this step feeds, committed with the
   * step's output (so it is emitted exactly once). Keys matter to the trigger: a set waits for
   * its keys, a by-name trigger fires on its key, a group trigger groups `group:<g>` keys. A
   * step that emits nothing puts its output in, under its instance key.
   */
  emit(key: string, value: unknown): void;
  /**
   * The execution's input and start time (epoch ms), read from its start record in the result
   * store: one read when called (a store of another cloud costs its latency), none otherwise.
   * Step code imported from Step Functions uses it for `$$.Execution.Input` and `StartTime`.
   */
  executionStart(): Promise<{ input: unknown; startedAt: number }>;
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
  | { outcome: 'forwarded'; instance: string }
  /** A timer invocation that was not due yet, queued again for later. */
  | { outcome: 'deferred'; instance: string };

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

/** The longest a timer invocation waits in its sandbox before passing itself on. */
const MAX_TIMER_WAIT_MS = 30_000;
const RETRY_BASE_MS = 5;
const RETRY_MAX_MS = 100;

/**
 * The failure to commit without running, when the platform's deliveries of this invocation
 * ended in crashes, timeouts or out-of-memory kills more often than the step's retries allow.
 */
function spentOnPlatformFailures(fn: FunctionIR, delivery: DeliveryInfo): StepError | undefined {
  const previous = delivery.previousFailure;
  if (previous === undefined || delivery.attempt <= fn.retries + 1) return undefined;
  const tries = delivery.attempt - 1;
  return {
    code: previous.code,
    message: `${previous.message} (${tries} attempt${tries === 1 ? '' : 's'}, the step allows ${fn.retries + 1})`,
  };
}

function hasCode(fn: FunctionIR): boolean {
  return (
    fn.kind === 'task' || ((fn.kind === 'join' || fn.kind === 'trigger') && fn.code.trim() !== '')
  );
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
    const execution = invocation.execution;
    const instance = instanceKey(fn.name, invocation.scope);
    const env: StepEnv = {
      context,
      fn,
      deployment,
      ports,
      workflow,
      invocation,
      delivery,
      execution,
      instance,
      home: ports.store(fn.homeStore),
      trace: new StepTrace(ports, execution, deployment, instance, fn.name),
    };
    return new StepRun(env, handler).run();
  };
}

/**
 * One delivery of one invocation: pre-run read, run, commit or adopt, then follow the committed
 * record. The parts it follows the record with live beside it: `joins.ts`, `triggers.ts`,
 * `results.ts`, `once.ts`, `stepEnv.ts` (invokes with failover), `stepTrace.ts`.
 */
class StepRun {
  private readonly checkpointKey: string;
  private readonly closedKey: string;
  /** Keys of the `ctx.once` calls made by this copy's user code, in call order. */
  private readonly onceKeys = new Set<string>();
  /** Objects this attempt's user code emitted (`ctx.emit`), reset on each in-process retry. */
  private emits: { key: string; value: unknown }[] = [];

  constructor(
    private readonly env: StepEnv,
    private readonly handler: UserHandler | undefined,
  ) {
    this.checkpointKey = keys.checkpoint(env.execution, env.instance);
    this.closedKey = keys.closed(env.execution);
  }

  async run(): Promise<StepOutcome> {
    const { env } = this;
    const { invocation, delivery, fn, trace } = env;
    receiveHlc(invocation.hlc, env.ports.now());
    if (!(await this.due())) return { outcome: 'deferred', instance: env.instance };
    if (invocation.emptyMap !== undefined) return this.forwardEmptyMap(invocation.emptyMap);
    trace.emit('step.started', delivery.attempt, { input: previewRef(invocation.input) });

    // Step 1: the pre-run read, only where a duplicate is possible or a rerun is costly.
    if (invocation.possibleDuplicate === true || delivery.platformRetry || fn.expensive) {
      const [existing, closed] = await env.home.getMany([this.checkpointKey, this.closedKey]);
      if (closed !== undefined || isTombstone(existing)) return this.closed();
      if (existing !== undefined) {
        const record = parseStored(stepRecordSchema, existing, this.checkpointKey);
        return this.adopt(record, 'pre-run-read');
      }
    }

    // Step 2: run (with in-process retries), then commit output and decisions in one write.
    const started = env.ports.now();
    const collected =
      (fn.kind === 'join' || fn.kind === 'trigger') && invocation.joinReady === true;
    const input = collected
      ? fn.kind === 'join'
        ? await collectJoinInput(env)
        : await collectTriggerInput(env)
      : await resolveDataRef(invocation.input, (c) => env.ports.blobs(c));

    let attempt = 0;
    let candidate: Planned | undefined;
    // A sandbox that crashed, timed out or ran out of memory is an attempt too: past the step's
    // retry policy, its reason is committed as the step's failure and the code does not run again.
    let failure: StepError | undefined = spentOnPlatformFailures(fn, delivery);
    for (; failure === undefined; ) {
      try {
        this.emits = [];
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
        trace.emit(
          'step.retrying',
          delivery.attempt,
          { error: toStepError(error) },
          `${delivery.attempt}.${attempt}`,
        );
        await sleep(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt));
      }
    }

    env.ports.faultPoint?.('before-commit', env.instance);
    // A failure keeps its input for a rerun; a collected input is stored only then.
    const record: StepRecord = candidate?.record ?? {
      v: 1,
      status: 'failed',
      attempt: delivery.attempt,
      cloud: env.ports.cloud,
      at: started,
      durationMs: env.ports.now() - started,
      error: failure ?? { message: 'unknown failure' },
      input: collected ? await this.recordRef(input) : invocation.input,
      ...this.onceField(),
    };
    // One conditional write on one item. After the execution was closed the item holds a
    // tombstone, so a late duplicate loses here as to any other winner, and exits.
    // Beside it, in the same round trip, the closed marker that `cancelExecution` writes: the
    // price of cancelling is one read per step that invokes, but no extra wait on the critical
    // path. Steps whose only continuations fill join slots skip it (a map branch stays at two
    // operations): cancelling seals the join records, and the aggregator checks at its commit.
    const [result, cancelled] = await Promise.all([
      env.home.putIfAbsent(this.checkpointKey, record),
      env.fn.continuations.some((c) => c.mode !== 'join')
        ? env.home.get(this.closedKey)
        : undefined,
    ]);
    if (!result.won) {
      if (isTombstone(result.existing)) return this.closed();
      const winner = parseStored(stepRecordSchema, result.existing, this.checkpointKey);
      return this.adopt(winner, 'lost-commit');
    }
    env.ports.faultPoint?.('after-commit', env.instance);
    trace.committed(record, candidate?.outputText, candidate?.output);
    // Cancelled (or closed) while this step ran: its commit stands, it starts nothing more.
    if (cancelled !== undefined) return trace.finish(async () => this.closed());

    // Step 3: act on the committed record.
    if (record.status === 'failed') {
      await trace.finish(() => commitFailedResult(env, record));
      return { outcome: 'failed', instance: env.instance, status: 'failed', error: record.error };
    }
    const planned = candidate;
    if (planned === undefined) throw new RuntimeError('RUNTIME_INTERNAL', 'success without a plan');
    const invoked = await trace.finish(() => this.follow(planned, false));
    return { outcome: 'committed', instance: env.instance, status: 'succeeded', invoked };
  }

  /**
   * A timer invocation (`notBefore`) runs when due: a short wait happens here (the local clouds'
   * queues hold it until then anyway); a long one waits out one slice here and is then passed on
   * as the same invocation, queued again on this function's clouds, so no sandbox waits longer
   * than half its timeout. Slicing bounds the re-queues of a host that cannot delay a delivery
   * (Lambda's Event invoke) to one per slice; passing it on at once made them a busy loop.
   */
  private async due(): Promise<boolean> {
    const { env } = this;
    const { notBefore } = env.invocation;
    if (notBefore === undefined) return true;
    const wait = notBefore - env.ports.now();
    if (wait <= 0) return true;
    const slice = Math.min(env.fn.timeoutMs / 2, MAX_TIMER_WAIT_MS);
    if (wait <= slice) {
      await sleep(wait);
      return true;
    }
    await sleep(slice);
    await invokeWithFailover(env, [env.fn.cloud, ...env.fn.failover], env.invocation);
    return false;
  }

  /**
   * Passes an empty map's completion on through the map's body: no user code, no commit. The
   * function that leaves the body into the map's join invokes that join with `[]` (into a
   * trigger that collects the map: see `emptyBucket`); any other follows one path (a loop's
   * exit, else its first continuation; every path of a map body reaches the join). Duplicates
   * are absorbed by the join's checkpoint.
   */
  private async forwardEmptyMap(map: string): Promise<StepOutcome> {
    const { env } = this;
    const { fn } = env;
    const scope = env.invocation.scope;
    const collects = (c: Continuation) =>
      (c.mode === 'join' && c.join?.slot.kind === 'map-index' && c.join.slot.map === map) ||
      (c.mode === 'trigger' && c.trigger?.slot.kind === 'map-index' && c.trigger.slot.map === map);
    const exit = fn.continuations.find(collects);
    if (exit?.trigger !== undefined) {
      const target = exit.trigger;
      await env.trace.finish(() => emptyBucket(env, target, applyScopeOp(scope, exit.scope)));
      return { outcome: 'forwarded', instance: env.instance };
    }
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
    await env.trace.finish(() =>
      invokeWithFailover(env, [next.cloud, ...next.failover], {
        fn: next.target,
        scope: target,
        ...(exit === undefined
          ? { input: { inline: null }, emptyMap: map }
          : { input: { inline: [] } }),
      }),
    );
    return { outcome: 'forwarded', instance: env.instance };
  }

  /** Runs the node's work and evaluates every decision and continuation input, before the commit. */
  private async compute(input: unknown, started: number): Promise<Planned> {
    const { env } = this;
    const { fn } = env;
    let output: unknown;
    let mapCount: number | undefined;
    switch (fn.kind) {
      case 'task':
        output = await this.callHandler(input);
        break;
      case 'join':
      case 'trigger':
        output = hasCode(fn) ? await this.callHandler(input) : input;
        break;
      case 'map': {
        const items = await evaluate(fn.items, input, bindingsOf(fn, env.invocation.scope));
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
    }
    // Normalise to JSON now, so the winner routes on exactly what an adopting copy will read.
    const outputText = serialize(output).text;
    output = JSON.parse(outputText) as unknown;
    const taken = await decideContinuations(fn, output, env.invocation.scope);
    const emits = await this.emitRefs();
    const record: SucceededRecord = {
      v: 1,
      status: 'succeeded',
      attempt: env.delivery.attempt,
      cloud: env.ports.cloud,
      at: started,
      durationMs: env.ports.now() - started,
      output: { inline: null },
      taken,
      ...(mapCount === undefined ? {} : { mapCount }),
      ...(emits === undefined ? {} : { emits }),
      ...this.onceField(),
    };
    const plan = await this.plan(record, output, outputText);
    record.output = await this.recordRef(output, outputText);
    return plan;
  }

  /**
   * The emitted objects as DataRefs: inline up to the slot limit each, all as blobs when their
   * sum would crowd the record.
   */
  private async emitRefs(): Promise<{ key: string; ref: DataRef }[] | undefined> {
    if (this.emits.length === 0) return undefined;
    const { env } = this;
    const refs = (mode: 'auto' | 'blob') =>
      Promise.all(
        this.emits.map(async ({ key, value }) => ({
          key,
          ref: await toDataRef(value, {
            mode,
            limitBytes: SLOT_INLINE_LIMIT_BYTES,
            cloud: env.fn.homeStore,
            blobs: env.ports.blobs(env.fn.homeStore),
          }),
        })),
      );
    const inline = await refs('auto');
    return serialize(inline).bytes <= RECORD_INLINE_LIMIT_BYTES / 2 ? inline : refs('blob');
  }

  private onceField(): { once?: string[] } {
    return this.onceKeys.size === 0 ? {} : { once: [...this.onceKeys] };
  }

  private async callHandler(input: unknown): Promise<unknown> {
    if (this.handler === undefined)
      throw new RuntimeError('RUNTIME_NO_HANDLER', `"${this.env.fn.name}" has no handler`);
    return this.handler(input, this.stepContext());
  }

  private stepContext(): StepContext {
    const { execution, instance, fn, delivery, ports } = this.env;
    return {
      execution,
      workflow: this.env.context.workflow,
      instance,
      node: fn.name,
      attempt: delivery.attempt,
      cloud: ports.cloud,
      once: (key, effect) => runOnce(this.env, this.onceKeys, key, effect),
      emit: (key, value) => this.addEmit(key, value),
      executionStart: () => readExecutionStart(this.env),
    };
  }

  private addEmit(key: unknown, value: unknown): void {
    if (typeof key !== 'string' || key.length === 0 || key.length > 128) {
      throw new RuntimeError(
        'RUNTIME_EMIT_INVALID',
        `ctx.emit in "${this.env.fn.name}" got key ${JSON.stringify(key)}; a key is a string of 1 to 128 characters`,
      );
    }
    if (this.emits.length >= MAX_EMITS_PER_STEP) {
      throw new RuntimeError(
        'RUNTIME_EMIT_INVALID',
        `"${this.env.fn.name}" emitted more than ${MAX_EMITS_PER_STEP} objects; emit one object per key holding an array`,
      );
    }
    // Copy now: what the trigger gets is the value at the time of the call.
    this.emits.push({ key, value: JSON.parse(serialize(value).text) as unknown });
  }

  private recordRef(value: unknown, serialized?: string): Promise<DataRef> {
    const { env } = this;
    return toDataRef(value, {
      ...(serialized === undefined ? {} : { serialized }),
      mode: 'auto',
      limitBytes: RECORD_INLINE_LIMIT_BYTES,
      cloud: env.fn.homeStore,
      blobs: env.ports.blobs(env.fn.homeStore),
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
    const { fn, invocation, workflow } = this.env;
    const routes = routesOf(fn, record, invocation.scope, workflow);
    const values: unknown[] = [];
    const notBefore: (number | undefined)[] = [];
    for (const route of routes) {
      notBefore.push(undefined);
      if (route.kind !== 'invoke' && route.kind !== 'fill' && route.kind !== 'emit') {
        values.push(undefined);
        continue;
      }
      const c = fn.continuations[route.continuation] as Continuation;
      const element = route.kind === 'invoke' ? route.element : undefined;
      const base = element === undefined ? output : (output as unknown[])[element];
      const bindings = { ...bindingsOf(fn, invocation.scope), index: element };
      const value = c.mapping === undefined ? base : await evaluate(c.mapping, base, bindings);
      if (c.notBefore !== undefined && route.kind === 'invoke') {
        notBefore[notBefore.length - 1] = dueTime(
          await evaluate(c.notBefore, base, bindings),
          c.target,
        );
      }
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
    await this.checkUnstartedElements(record, output);
    return { record, routes, values, notBefore, outputText, output };
  }

  /**
   * A bounded map invokes only its first elements; the rest are started by branches after this
   * record is committed. Their mappings and inline sizes are checked here, so that what would
   * fail the map unbounded fails it bounded too, instead of a branch after the commit.
   */
  private async checkUnstartedElements(record: SucceededRecord, output: unknown): Promise<void> {
    const { fn, invocation } = this.env;
    if (fn.kind !== 'map' || fn.maxConcurrency === undefined) return;
    const each = fn.continuations.find((c) => c.mode === 'each');
    const count = record.mapCount ?? 0;
    if (each === undefined || (each.mapping === undefined && each.transfer !== 'inline')) return;
    for (let element = fn.maxConcurrency; element < count; element++) {
      const base = (output as unknown[])[element];
      const bindings = { ...bindingsOf(fn, invocation.scope), index: element };
      const value =
        each.mapping === undefined ? base : await evaluate(each.mapping, base, bindings);
      if (each.transfer === 'inline' && serialize(value).bytes > each.inlineLimitBytes) {
        throw new RuntimeError(
          'RUNTIME_PAYLOAD_TOO_LARGE',
          `the input for "${each.target}" (element ${element}) is over its inline limit of ${each.inlineLimitBytes} bytes; set the target's transfer to "auto" or "blob"`,
        );
      }
    }
  }

  /** Uses another copy's committed record: its output and decisions, never our own. */
  private async adopt(
    record: StepRecord,
    via: 'pre-run-read' | 'lost-commit',
  ): Promise<StepOutcome> {
    const { env } = this;
    const { trace, delivery } = env;
    // Read first (a blob-stored output only then costs a read): the re-emitted commit event
    // then carries the output's top-level numbers like the winner's, whichever arrives first.
    const output =
      record.status === 'succeeded'
        ? await resolveDataRef(record.output, (c) => env.ports.blobs(c))
        : undefined;
    // Re-emit the commit's own event (same id): if the winner crashed before flushing, it is
    // delivered now; if not, the API deduplicates it.
    trace.committed(record, undefined, output);
    for (const key of record.once ?? []) trace.once(key, delivery.attempt);
    trace.emit('step.adopted', delivery.attempt, { output: previewOf(record) });
    if (record.status === 'failed') {
      await trace.finish(() => commitFailedResult(env, record));
      return { outcome: 'adopted', instance: env.instance, status: 'failed', via, invoked: 0 };
    }
    const invoked = await trace.finish(async () =>
      this.follow(await this.plan(record, output), true),
    );
    return { outcome: 'adopted', instance: env.instance, status: 'succeeded', via, invoked };
  }

  /**
   * Performs the routes of a committed success. Skip tokens go first, so that a branch taken
   * after them always finds them in place and is the one that completes its join.
   */
  private async follow(plan: Planned, flagged: boolean): Promise<number> {
    const { env } = this;
    env.ports.faultPoint?.('before-invoke', env.instance);
    env.trace.skippedBranches(env.fn, env.invocation.scope, plan.record);
    let invoked = 0;
    const indexes = plan.routes.map((_, i) => i);
    const kindAt = (i: number) => plan.routes[i]?.kind;
    const skips = indexes.filter((i) => kindAt(i) === 'skip');
    const rest = indexes.filter(
      (i) => kindAt(i) !== 'skip' && kindAt(i) !== 'result' && kindAt(i) !== 'map-next',
    );
    // A bounded map's next element starts only once this branch's slot is filled, so no more
    // than maxConcurrency branches are ever between their start and their fill.
    const nextElements = indexes.filter((i) => kindAt(i) === 'map-next');
    // The result goes last: once it is stored, nobody redrives the execution, so whatever else
    // this record leads to (a window's timer, say) must be in place first.
    const results = indexes.filter((i) => kindAt(i) === 'result');
    const performAt = async (i: number) => {
      const route = plan.routes[i];
      if (route !== undefined) {
        invoked += await this.perform(route, plan, plan.values[i], flagged, plan.notBefore[i]);
      }
    };
    await Promise.all(skips.map(performAt));
    await boundedAll(rest, INVOKE_CONCURRENCY, performAt);
    await Promise.all(nextElements.map(performAt));
    await Promise.all(results.map(performAt));
    return invoked;
  }

  private async perform(
    route: Route,
    plan: Planned,
    value: unknown,
    flagged: boolean,
    notBefore: number | undefined,
  ): Promise<number> {
    const { env } = this;
    switch (route.kind) {
      case 'invoke': {
        const c = env.fn.continuations[route.continuation] as Continuation;
        const input = await this.carried(
          value,
          c,
          route.element === undefined && c.mapping === undefined,
          plan,
        );
        await invokeWithFailover(env, [c.cloud, ...c.failover], {
          fn: route.target,
          scope: route.scope,
          input,
          ...(flagged ? { possibleDuplicate: true } : {}),
          ...(notBefore === undefined ? {} : { notBefore }),
        });
        return 1;
      }
      case 'fill': {
        const c = env.fn.continuations[route.continuation] as Continuation;
        const ref = await this.carried(value, c, c.mapping === undefined, plan, true);
        return fillJoinRoute(env, route, ref, flagged);
      }
      case 'emit':
        return deliverToTrigger(env, route, await this.objects(route, plan, value), flagged);
      case 'empty-map': {
        if (route.join === undefined || route.location === undefined) {
          // Where the join runs is unknown here: walk the body to the function that joins.
          const c = env.fn.continuations[route.continuation] as Continuation;
          const map = c.scope.op === 'push-map' ? c.scope.map : env.fn.name;
          await invokeWithFailover(env, [c.cloud, ...c.failover], {
            fn: c.target,
            scope: [...route.joinScope, { kind: 'map', name: map, index: 0, count: 0 }],
            input: { inline: null },
            emptyMap: map,
          });
          return 1;
        }
        const location = route.location;
        await invokeWithFailover(env, [location.cloud, ...location.failover], {
          fn: route.join,
          scope: route.joinScope,
          input: { inline: [] },
          ...(flagged ? { possibleDuplicate: true } : {}),
        });
        return 1;
      }
      case 'result':
        await commitSucceededResult(env, plan.record);
        return 0;
      case 'skip':
        return fillSkipRoute(env, route, flagged);
      case 'map-next':
        return startNextElement(env, route, flagged);
    }
  }

  /** The objects this instance puts into a trigger: its emits, else its (mapped) output. */
  private async objects(
    route: Extract<Route, { kind: 'emit' }>,
    plan: Planned,
    value: unknown,
  ): Promise<BucketObject[]> {
    const from = this.env.instance;
    const emits = plan.record.emits;
    if (emits !== undefined && emits.length > 0) {
      return emits.map(({ key, ref }) => ({ key, from, ref }));
    }
    const c = this.env.fn.continuations[route.continuation] as Continuation;
    const ref = await this.carried(value, c, c.mapping === undefined, plan, true);
    return [{ key: from, from, ref }];
  }

  /** What a continuation carries: the output's own blob when it is the output, else sized anew. */
  private carried(
    value: unknown,
    c: Continuation,
    isOutput: boolean,
    plan: Planned,
    intoSlot = false,
  ): Promise<DataRef> {
    if (isOutput && 'blob' in plan.record.output) return Promise.resolve(plan.record.output);
    return transferRef(this.env, value, c, {
      ...(isOutput ? { serialized: plan.outputText } : {}),
      intoSlot,
    });
  }

  private closed(): StepOutcome {
    return { outcome: 'closed', instance: this.env.instance };
  }
}

interface Planned {
  record: SucceededRecord;
  routes: Route[];
  /** Aligned with `routes`: the value an invoke, a fill or an emit carries. */
  values: unknown[];
  /** Aligned with `routes`: an invoke's `notBefore` (epoch ms), from its continuation's. */
  notBefore: (number | undefined)[];
  /** JSON text of the output. */
  outputText: string;
  /** The output itself (the trace's preview of a blob-stored output keeps its numbers). */
  output: unknown;
}

/** The execution's start record, for `ctx.executionStart()`. */
async function readExecutionStart(env: StepEnv): Promise<{ input: unknown; startedAt: number }> {
  const key = keys.start(env.execution);
  const stored = await env.ports.store(env.context.resultStore).get(key);
  if (stored === undefined || isTombstone(stored)) {
    throw new RuntimeError(
      'RUNTIME_NO_START_RECORD',
      `execution ${env.execution} has no start record in ${env.context.resultStore} (closed, or not started through startExecution)`,
    );
  }
  const record = parseStored(startRecordSchema, stored, key);
  const input = await resolveDataRef(record.invocation.input, (c) => env.ports.blobs(c));
  return { input, startedAt: record.at };
}

/**
 * A continuation's `notBefore` value as epoch ms: a number, or a time in ISO 8601 text. It is
 * evaluated over the committed output, so every copy of the step sends the same time.
 */
function dueTime(value: unknown, target: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new RuntimeError(
      'RUNTIME_BAD_NOT_BEFORE',
      `the notBefore of the edge to "${target}" gave ${JSON.stringify(value)}; it must be epoch milliseconds or an ISO 8601 time`,
    );
  }
  return ms;
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
