import { createHash } from 'node:crypto';
import type { CloudProfile } from '@jointflow/ir';
import { instanceKey } from '@jointflow/ir';
import { type Invocation, invocationSchema, type PlatformFailure } from '@jointflow/runtime';
import { deployedFunctionName } from '@jointflow/shims';
import type { AsyncQueue, QueueEntry } from './asyncQueue';
import { type Billing, type RunTiming, zipBilledFunction } from './billing';
import { CloudError } from './cloudError';
import { cloudLog } from './cloudLog';
import type { FaultInjector } from './faults';
import { type FunctionRegistry, readyBilledFunction } from './functionRegistry';
import { sandboxLaunch } from './sandboxPermissions';
import type { DeployedFunction, RunOutcome, WorkerPool } from './workerPool';
import type { ZipApi, ZipEvent } from './workerProtocol';
import { ZipError, type ZipFunctions, type ZipTarget } from './zipFunctions';
import {
  isZipKey,
  newRequestId,
  parseZipKey,
  requestIdOf,
  sandboxEnv,
  spooledZipEvent,
  zipEventJson,
  zipEventOf,
  zipKey,
} from './zipInvocation';

/**
 * The cloud's invocations: accepts Event/Async ones into the durable queue (or refuses them during
 * an outage, or drops, duplicates and delays them as the fault injector says), dispatches each
 * due one to the worker pool, retries failed ones, dead-letters exhausted ones, and runs
 * synchronous ones at once. Bundled and zip functions alike.
 */
export interface Dispatcher {
  /** Lambda `Event`: accepts (or refuses during an outage) and queues the invocation. */
  acceptEvent(name: string, body: unknown, bytes: number): void;
  /** Lambda `RequestResponse`: runs now, returns the outcome. */
  invokeSync(name: string, body: unknown, bytes: number): Promise<RunOutcome>;
  /** Accepts (or refuses) an Event/Async invocation of a zip function and queues it. */
  acceptZipEvent(
    api: ZipApi,
    name: string,
    qualifier: string | undefined,
    body: Buffer,
  ): { requestId: string };
  /** Runs a RequestResponse/Sync invocation of a zip function now (429 at its concurrency). */
  invokeZipSync(
    api: ZipApi,
    name: string,
    qualifier: string | undefined,
    body: Buffer,
  ): Promise<{ outcome: RunOutcome; version: string; requestId: string; timeoutS: number }>;
  /** Dispatches every due invocation that can start now (on accept, deploy, free capacity). */
  pump(): void;
  /** Invocations being run from the queue now. */
  inFlight(): number;
  /** No more dispatches; a run that ends after this is neither billed nor settled. */
  close(): void;
}

export function createDispatcher(options: {
  profile: CloudProfile;
  dataDir: string;
  queue: AsyncQueue;
  pool: WorkerPool;
  injector: FaultInjector;
  registry: FunctionRegistry;
  zips: ZipFunctions;
  billing: Billing;
  /** Builds (once) the program every zip sandbox runs. */
  zipProgram: () => Promise<string>;
}): Dispatcher {
  const { profile, queue, pool, injector, registry, zips, billing } = options;
  let inFlight = 0;
  let closed = false;
  /**
   * Why the last delivery of a queued invocation ended without an answer, by queue row. Kept in
   * memory: after a restart of the cloud the next delivery runs the code again.
   */
  const platformFailures = new Map<number, PlatformFailure>();
  let pumping = false;
  let pumpAgain = false;
  let dueTimer: { at: number; timer: NodeJS.Timeout } | undefined;

  function pump(): void {
    if (closed) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      const outage = injector.outageUntil(Date.now());
      if (outage !== undefined) {
        scheduleAt(outage);
        return;
      }
      do {
        pumpAgain = false;
        for (;;) {
          const entry = queue.take(Date.now(), (fn, solo) => {
            if (isZipKey(fn)) return pool.availability(fn, solo);
            const record = registry.get(fn);
            // Not deployed: take it anyway, dispatch dead-letters it.
            if (record?.state !== 'ready') return record?.state === 'deploying' ? 'none' : 'warm';
            return pool.availability(fn, solo);
          });
          if (entry === undefined) break;
          void (isZipKey(entry.fn) ? dispatchZip(entry) : dispatch(entry));
        }
      } while (pumpAgain);
      const next = queue.nextDueAt();
      if (next !== undefined) scheduleAt(next);
    } finally {
      pumping = false;
    }
  }

  function scheduleAt(at: number): void {
    if (dueTimer !== undefined) {
      if (dueTimer.at <= at) return;
      clearTimeout(dueTimer.timer);
    }
    dueTimer = {
      at,
      timer: setTimeout(
        () => {
          dueTimer = undefined;
          pump();
        },
        Math.max(0, at - Date.now()),
      ),
    };
  }

  function checkOutage(): void {
    const until = injector.outageUntil(Date.now());
    if (until !== undefined) {
      throw new CloudError(
        503,
        'CLOUD_OUTAGE',
        `${profile.id} is in an injected outage until ${new Date(until).toISOString()}; invoke a replica on another cloud`,
      );
    }
  }

  function parseInvocation(name: string, body: unknown, bytes: number, limit: number): Invocation {
    if (bytes > limit) {
      throw new CloudError(
        413,
        'RequestEntityTooLargeException',
        `payload of ${bytes} bytes exceeds ${profile.id}'s limit of ${limit} bytes; pass large data as a blob`,
      );
    }
    const parsed = invocationSchema.safeParse(body);
    if (!parsed.success) {
      throw new CloudError(
        400,
        'InvalidRequestContentException',
        `the payload is not a Jointflow invocation: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      );
    }
    const invocation = parsed.data;
    if (deployedFunctionName(invocation.deployment, invocation.fn) !== name) {
      throw new CloudError(
        400,
        'InvalidRequestContentException',
        `the invocation names ${invocation.deployment}/${invocation.fn} but was sent to function ${name}`,
      );
    }
    return invocation;
  }

  /** Queues one accepted invocation, as many times and as late as the fault injector says. */
  function enqueue(
    key: string,
    identity: string,
    execution: string,
    text: string,
    notBefore: number | undefined,
    faults: { duplicate: boolean; delayMs: number },
    parsed: Invocation | ZipEvent,
  ): void {
    const copies = faults.duplicate ? 2 : 1;
    // A timer invocation (a time window's close) waits in the durable queue, not in a sandbox.
    const due = Math.max(Date.now(), notBefore ?? 0);
    for (let copy = 0; copy < copies; copy++) {
      queue.enqueue(
        key,
        execution,
        text,
        due + faults.delayMs * (copy + 1),
        `${identity}#${copy}`,
        parsed,
      );
    }
    pump();
  }

  /** Runs one queued delivery to its end: billed, then finished, retried or dead-lettered. */
  async function deliver(
    entry: QueueEntry,
    maxAttempts: number,
    run: () => Promise<void>,
  ): Promise<void> {
    inFlight++;
    try {
      await run();
    } catch (error) {
      // A bug here must not take the cloud down, nor lose the invocation: retry it later.
      cloudLog().error(`dispatch of queue row ${entry.id} failed`, {
        cloud: profile.id,
        row: entry.id,
        error: error instanceof Error ? error : String(error),
      });
      if (!closed) {
        if (entry.attempt < maxAttempts) retryLater(entry);
        else queue.deadLetter(entry, error instanceof Error ? error.message : String(error));
      }
    } finally {
      inFlight--;
      pump();
    }
  }

  function retryLater(entry: QueueEntry): void {
    queue.retry(entry, Date.now() + profile.behaviour.asyncRetryDelayMs);
  }

  /** How long the entry waited since it was due (the start of its run's timing). */
  function startTiming(entry: QueueEntry): () => RunTiming {
    const dispatchedAt = performance.now();
    const queuedMs = Math.max(0, Date.now() - Math.max(entry.queuedAt, entry.dueAt));
    return () => ({ queuedMs, wallMs: performance.now() - dispatchedAt });
  }

  async function dispatch(entry: QueueEntry) {
    const record = registry.get(entry.fn);
    if (record?.state !== 'ready') {
      queue.deadLetter(
        entry,
        `FUNCTION_NOT_DEPLOYED: ${entry.fn} is not deployed on ${profile.id}`,
      );
      return;
    }
    // Enough deliveries for the step's own retry policy to see its crashes and timeouts: the
    // delivery after the last allowed attempt commits the failure (the runtime's job).
    const maxAttempts = Math.max(profile.behaviour.asyncRetries + 1, record.fn.retries + 2);
    await deliver(entry, maxAttempts, async () => {
      // A row read back from the durable queue is outside data too: parsed, never cast.
      const queued = invocationSchema.safeParse(entry.parsed ?? JSON.parse(entry.body));
      if (!queued.success) {
        throw new Error(
          `LOCAL_CORRUPT_QUEUE_ROW: queue row ${entry.id} is not a Jointflow invocation (${queued.error.issues[0]?.message ?? 'invalid'})`,
        );
      }
      const invocation = queued.data;
      const crashAt = injector.crashPoint(entry.fault, entry.attempt, maxAttempts);
      const previousFailure = platformFailures.get(entry.id);
      const request = {
        payload: { program: 'jointflow' as const, invocation },
        delivery: {
          attempt: entry.attempt,
          platformRetry: entry.attempt > 1,
          ...(previousFailure === undefined ? {} : { previousFailure }),
        },
        ...(crashAt ? { crashAt } : {}),
        ...(entry.solo ? { solo: true } : {}),
      };
      const timing = startTiming(entry);
      const outcome = await pool.run(record.deployed, request);
      if (closed) return;
      billing.billRun(
        readyBilledFunction(record),
        invocation,
        outcome,
        entry.attempt,
        entry.id,
        timing(),
      );
      // A process shared with another invocation died of that one's fault (or of a fault that
      // cannot be pinned on one of them): not an attempt of this step. Deliver it again now,
      // alone in a process if the cause is unknown.
      if (!outcome.ok && outcome.scope !== undefined) {
        queue.redeliver(entry, outcome.scope === 'unattributed');
        return;
      }
      // A crash, timeout or out-of-memory kill of the step's own making is an attempt the next
      // delivery is told about; an injected crash (the fault injector's, a host failure) is not.
      if (!outcome.ok && outcome.failure !== 'error' && crashAt === undefined) {
        platformFailures.set(entry.id, platformFailureOf(outcome));
      }
      if (outcome.ok) {
        platformFailures.delete(entry.id);
        queue.finish(entry);
      } else if (entry.attempt < maxAttempts) retryLater(entry);
      else {
        platformFailures.delete(entry.id);
        queue.deadLetter(entry, outcome.error.stack ?? outcome.error.message);
      }
    });
  }

  // Zip functions (Lambda / FC API). Their pool and queue key is `zip:<name>:<version>`, so a
  // published version keeps its own warm sandboxes and `$LATEST` retires its own on a change.

  /** What the worker pool needs to run `target` (the sandbox program is built on first use). */
  async function zipDeployed(target: ZipTarget, key: string): Promise<DeployedFunction> {
    const { fn, config } = target;
    const timeoutMs = config.timeoutS * 1000;
    const arn =
      fn.api === 'lambda'
        ? `arn:aws:lambda:${fn.region}:000000000000:function:${fn.name}`
        : `acs:fc:${fn.region}:000000000000:functions/${fn.name}`;
    const program = await options.zipProgram();
    // Its code and the sandbox program to read, a directory of its own to write (`TMPDIR`).
    const launch = sandboxLaunch(options.dataDir, key, [`${target.codeDir}/`, program]);
    // Its staged copy when the worker runs as another user (sandboxPermissions.ts).
    const codeDir = launch.pathOf(target.codeDir);
    return {
      name: key,
      program: launch.pathOf(program),
      execArgv: launch.execArgv,
      cwd: codeDir,
      ...(launch.identity !== undefined ? { identity: launch.identity } : {}),
      timeoutMs,
      // A zip handler is a real Lambda/FC handler: one invocation per process, as there.
      processConcurrency: 1,
      env: { ...sandboxEnv({ ...target, codeDir }, timeoutMs), TMPDIR: launch.workDir },
      init: {
        program: 'zip',
        api: fn.api,
        codeDir,
        handler: config.handler,
        functionName: fn.name,
        version: target.version,
        memoryMb: config.memoryMb,
        timeoutMs,
        region: fn.region,
        arn,
      },
    };
  }

  async function dispatchZip(entry: QueueEntry) {
    const parsedKey = parseZipKey(entry.fn);
    const fn = parsedKey === undefined ? undefined : zips.find(parsedKey.name);
    let target: ZipTarget | undefined;
    try {
      if (fn !== undefined && parsedKey !== undefined)
        target = zips.target(fn.api, fn.name, parsedKey.version);
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      queue.deadLetter(
        entry,
        `FUNCTION_NOT_DEPLOYED: ${parsedKey?.name ?? entry.fn} is not deployed (or not active) on ${profile.id}`,
      );
      return;
    }
    const maxAttempts = profile.behaviour.asyncRetries + 1;
    await deliver(entry, maxAttempts, async () => {
      const event =
        (entry.parsed as ZipEvent | undefined) ?? spooledZipEvent(target.fn.api, entry.body);
      const invocation = jointflowInvocationOf(event);
      const crashAt = injector.crashPoint(entry.fault, entry.attempt, maxAttempts);
      const deployed = await zipDeployed(target, entry.fn);
      const timing = startTiming(entry);
      const outcome = await pool.run(deployed, {
        // Lambda keeps one request id across the retries of an asynchronous invocation.
        payload: { program: 'zip', event, requestId: requestIdOf(`${profile.id}/${entry.id}`) },
        delivery: { attempt: entry.attempt, platformRetry: entry.attempt > 1 },
        ...(crashAt ? { crashAt } : {}),
      });
      if (closed) return;
      billing.billRun(
        zipBilledFunction(target),
        invocation,
        outcome,
        entry.attempt,
        entry.id,
        timing(),
      );
      if (outcome.ok) queue.finish(entry);
      else if (entry.attempt < maxAttempts) retryLater(entry);
      else queue.deadLetter(entry, outcome.error.stack ?? outcome.error.message);
    });
  }

  return {
    pump,
    inFlight: () => inFlight,
    close() {
      closed = true;
      if (dueTimer !== undefined) clearTimeout(dueTimer.timer);
    },
    acceptEvent(name, body, bytes) {
      checkOutage();
      registry.readyOrThrow(name);
      const invocation = parseInvocation(name, body, bytes, profile.limits.asyncPayloadBytes);
      const identity = identityOf(invocation);
      const faults = injector.onAccept(identity);
      if (faults.drop) return;
      enqueue(
        name,
        identity,
        invocation.execution,
        JSON.stringify(invocation),
        invocation.notBefore,
        faults,
        invocation,
      );
    },
    async invokeSync(name, body, bytes) {
      checkOutage();
      const record = registry.readyOrThrow(name);
      const invocation = parseInvocation(name, body, bytes, profile.limits.syncPayloadBytes);
      const outcome = await pool.run(record.deployed, {
        payload: { program: 'jointflow', invocation },
        delivery: { attempt: 1, platformRetry: false },
      });
      billing.billRun(readyBilledFunction(record), invocation, outcome, 1, 0);
      return outcome;
    },
    acceptZipEvent(api, name, qualifier, body) {
      checkOutage();
      const target = zips.target(api, name, qualifier);
      if (body.length > profile.limits.asyncPayloadBytes) {
        throw new ZipError(
          'payload-too-large',
          `the payload is ${body.length} bytes; ${profile.id} takes at most ${profile.limits.asyncPayloadBytes} bytes for an asynchronous invocation: pass large data as a blob`,
        );
      }
      const event = zipEventOf(api, body);
      const invocation = jointflowInvocationOf(event);
      // A Jointflow invocation is identified as for bundled functions (same seed, same faults);
      // any other event by its bytes, the receipt count telling equal events apart.
      const identity =
        invocation !== undefined
          ? identityOf(invocation)
          : `${name}|${createHash('sha256').update(body).digest('hex')}`;
      const faults = injector.onAccept(identity);
      const requestId = newRequestId();
      if (faults.drop) return { requestId };
      // The spool row holds JSON: Lambda's event as sent, FC's bytes as a base64 string.
      const text = 'json' in event ? JSON.stringify(event.json) : JSON.stringify(event.base64);
      enqueue(
        zipKey(name, target.version),
        identity,
        invocation?.execution ?? '',
        text,
        invocation?.notBefore,
        faults,
        event,
      );
      return { requestId };
    },
    async invokeZipSync(api, name, qualifier, body) {
      checkOutage();
      const target = zips.target(api, name, qualifier);
      if (body.length > profile.limits.syncPayloadBytes) {
        throw new ZipError(
          'payload-too-large',
          `the payload is ${body.length} bytes; ${profile.id} takes at most ${profile.limits.syncPayloadBytes} bytes for a synchronous invocation`,
        );
      }
      const event = zipEventOf(api, body);
      const key = zipKey(name, target.version);
      const deployed = await zipDeployed(target, key);
      // Checked right before pool.run, with no await between: a call over the limit is refused,
      // never queued (Lambda throttles a synchronous invoke; only Event invocations wait).
      if (pool.atConcurrency(key)) {
        throw new ZipError(
          'throttled',
          `Rate Exceeded: ${name} already runs ${profile.limits.concurrency} invocations, the concurrency limit of ${profile.id}; retry later or invoke asynchronously`,
        );
      }
      const requestId = newRequestId();
      const started = performance.now();
      const outcome = await pool.run(deployed, {
        payload: { program: 'zip', event, requestId },
        delivery: { attempt: 1, platformRetry: false },
      });
      billing.billRun(zipBilledFunction(target), jointflowInvocationOf(event), outcome, 1, 0, {
        queuedMs: 0,
        wallMs: performance.now() - started,
      });
      return { outcome, version: target.version, requestId, timeoutS: target.config.timeoutS };
    },
  };
}

/** The Jointflow invocation a zip function's event carries, if it is one (billing, faults). */
function jointflowInvocationOf(event: ZipEvent): Invocation | undefined {
  const value = zipEventJson(event);
  if (value === null || typeof value !== 'object') return undefined;
  const parsed = invocationSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The fault injector's name for an invocation: its instance, and whether it is a join's call. */
function identityOf(invocation: Invocation): string {
  return `${invocation.execution}|${instanceKey(invocation.fn, invocation.scope)}|${invocation.joinReady ? 'j' : ''}`;
}

/** What the next delivery is told about a sandbox that ended without an answer. */
function platformFailureOf(outcome: Extract<RunOutcome, { ok: false }>): PlatformFailure {
  const code =
    outcome.failure === 'timeout'
      ? 'FUNCTION_TIMEOUT'
      : outcome.failure === 'oom'
        ? 'FUNCTION_OUT_OF_MEMORY'
        : 'FUNCTION_CRASHED';
  return { code, message: outcome.error.message };
}
