import { createHash } from 'node:crypto';
import type { CloudMeasurements, CloudProfile, FunctionContext, FunctionIR } from '@jointflow/ir';
import { functionContextSchema, functionIRSchema, instanceKey } from '@jointflow/ir';
import {
  type Invocation,
  invocationSchema,
  type PlatformFailure,
  type TraceEvent,
} from '@jointflow/runtime';
import { type DeadLetterRow, deployedFunctionName, type FaultSpec } from '@jointflow/shims';
import { z } from 'zod';
import { type AsyncQueue, createAsyncQueue, type QueueEntry } from './asyncQueue';
import { type BlobFiles, createBlobFiles } from './blobFiles';
import { createBundler, createZipSandboxProgram } from './bundler';
import { cloudLog } from './cloudLog';
import { createColdStarts } from './coldStarts';
import { type CloudDatabases, type Durability, openCloudDatabase } from './database';
import { createFaultInjector, type FaultInjector } from './faults';
import { createKvStore, type KvStore, type StoreOpStats } from './kvStore';
import { billInvocation, createMetering, type Metering } from './metering';
import { sandboxLaunch } from './sandboxPermissions';
import { createSpoolWriter } from './spoolWriter';
import { createTraceOutbox, type TraceOutbox } from './traceOutbox';
import {
  createWorkerPool,
  type DeployedFunction,
  type RunOutcome,
  type WorkerPool,
} from './workerPool';
import type { PortAnswer, PortCall, ZipApi, ZipEvent } from './workerProtocol';
import {
  createZipFunctions,
  ZipError,
  type ZipFunction,
  type ZipFunctions,
  type ZipTarget,
} from './zipFunctions';
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
 * One local cloud: everything but HTTP. The server (server.ts) maps requests onto these methods.
 * See README.md for the process model, durability and the fault model.
 */

export interface CloudOptions {
  profile: CloudProfile;
  dataDir: string;
  durability: Durability;
  /** Cloud id → base URL of the other local clouds (this one is added once listening). */
  peers: Record<string, string>;
  /** Cap on worker processes for the whole cloud. */
  maxWorkers: number;
}

export class CloudError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const deploymentSchema = z.object({
  deployment: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a deployment id is letters, digits, _ or -'),
  context: functionContextSchema,
  fn: functionIRSchema,
  env: z.record(z.string(), z.string()),
});

type FunctionRecord =
  | { state: 'deploying' }
  | {
      state: 'ready';
      codeHash: string;
      deployed: DeployedFunction;
      fn: FunctionIR;
      secret?: string;
      traceUrl?: string;
    }
  | { state: 'failed'; reason: string };

export interface Cloud {
  readonly profile: CloudProfile;
  readonly kv: KvStore;
  readonly blobs: BlobFiles;
  setPeers(peers: Record<string, string>): void;
  deploy(name: string, body: unknown): Promise<FunctionStateView>;
  remove(name: string): void;
  describe(name: string): FunctionStateView;
  listFunctions(): { name: string; state: FunctionStateView }[];
  /** Lambda `Event`: accepts (or refuses during an outage) and queues the invocation. */
  acceptEvent(name: string, body: unknown, bytes: number): void;
  /** Lambda `RequestResponse`: runs now, returns the outcome. */
  invokeSync(name: string, body: unknown, bytes: number): Promise<RunOutcome>;
  /** Zip functions created through the Lambda or FC API (zipFunctions.ts). */
  readonly zips: ZipFunctions;
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
  injectFaults(spec: FaultSpec): void;
  faults(): FaultSpec;
  outageUntil(): number | undefined;
  deadLetters(): DeadLetterRow[];
  /** Invocations of `execution` accepted here and not finished (queued, delayed or running). */
  pendingOf(execution: string): number;
  metering: Metering;
  stats(): {
    workers: { pid: number; function: string; busy: boolean }[];
    queued: number;
    /** Invocations waiting for a worker or their due time, per function. */
    waiting: Record<string, number>;
    inFlight: number;
    storeOps: StoreOpStats;
    /** What the planner should know of this cloud on this host (`CloudProfile.measured`). */
    measured: CloudMeasurements;
  };
  /** Serves workers' calls to this cloud's own API over IPC (set by the server, see server.ts). */
  servePorts(api: (call: PortCall) => Promise<PortAnswer>): void;
  close(): Promise<void>;
}

export type FunctionStateView =
  | { state: 'absent' }
  | { state: 'deploying' }
  | { state: 'ready'; codeHash: string }
  | { state: 'failed'; reason: string };

function view(record: FunctionRecord | undefined): FunctionStateView {
  if (record === undefined) return { state: 'absent' };
  if (record.state === 'ready') return { state: 'ready', codeHash: record.codeHash };
  return record;
}

/** The Jointflow invocation a zip function's event carries, if it is one (billing, faults). */
function jointflowInvocationOf(event: ZipEvent): Invocation | undefined {
  const value = zipEventJson(event);
  if (value === null || typeof value !== 'object') return undefined;
  const parsed = invocationSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function identityOf(invocation: Invocation): string {
  return `${invocation.execution}|${instanceKey(invocation.fn, invocation.scope)}|${invocation.joinReady ? 'j' : ''}`;
}

/** Sandboxes per worker process when the profile does not say (`behaviour.processConcurrency`). */
export const DEFAULT_PROCESS_CONCURRENCY = 32;

export function createCloud(options: CloudOptions): Cloud {
  const { profile } = options;
  const db: CloudDatabases = openCloudDatabase(options.dataDir, options.durability);
  const kv = createKvStore(db.store);
  const blobs = createBlobFiles(options.dataDir, options.durability);
  const bundle = createBundler(options.dataDir);
  const zipProgram = createZipSandboxProgram(options.dataDir);
  const injector: FaultInjector = createFaultInjector();
  // Queue rows and trace batches: one spool transaction per event-loop turn, after its sends.
  const spoolWriter = createSpoolWriter(db.spool, profile.id);
  const outbox: TraceOutbox = createTraceOutbox(db.spool, spoolWriter);
  const metering = createMetering(db.spool);
  const coldStarts = createColdStarts();
  const queue: AsyncQueue = createAsyncQueue(db.spool, 500, spoolWriter);
  const functions = new Map<string, FunctionRecord>();
  const peers: Record<string, string> = { ...options.peers };
  let inFlight = 0;
  let closed = false;
  let portApi: ((call: PortCall) => Promise<PortAnswer>) | undefined;

  const pool: WorkerPool = createWorkerPool({
    cloud: profile.id,
    peers,
    coldStartMs: profile.behaviour.coldStartMs,
    keepWarmMs: profile.behaviour.keepWarmMs,
    concurrency: profile.limits.concurrency,
    maxWorkers: options.maxWorkers,
    onTrace(fn, events) {
      const record = functions.get(fn);
      if (record?.state === 'ready' && record.traceUrl !== undefined) {
        outbox.append(record.traceUrl, record.secret ?? '', events);
      }
    },
    onCapacity: () => pump(),
    onPortCall(call) {
      if (portApi === undefined) {
        return Promise.resolve({
          status: 503,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            error: {
              code: 'LOCAL_NOT_SERVING',
              message: `${profile.id} is not serving its API yet`,
            },
          }),
        });
      }
      return portApi(call);
    },
  });

  const saveFunction = db.store.prepare<
    [string, string, string, string, string | null, string | null, string | null]
  >(
    'INSERT OR REPLACE INTO functions (name, deployment, spec, state, reason, code_hash, bundle) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const deleteFunction = db.store.prepare<[string]>('DELETE FROM functions WHERE name = ?');
  const loadFunctions = db.store.prepare<[], { name: string; spec: string; state: string }>(
    "SELECT name, spec, state FROM functions WHERE state = 'ready'",
  );
  const listDead = db.spool.prepare<
    [],
    { id: number; function: string; body: string; attempts: number; error: string; at: number }
  >('SELECT * FROM dead_letters ORDER BY id');

  async function deployFrom(
    name: string,
    spec: z.infer<typeof deploymentSchema>,
    prewarm = false,
  ): Promise<FunctionStateView> {
    functions.set(name, { state: 'deploying' });
    const built = await bundle(spec.fn.code);
    if (!built.ok) {
      functions.set(name, { state: 'failed', reason: built.reason });
      saveFunction.run(
        name,
        spec.deployment,
        JSON.stringify(spec),
        'failed',
        built.reason,
        null,
        null,
      );
      return view(functions.get(name));
    }
    const { JF_TRACE_URL: traceUrl, JF_TRACE_SECRET: secret, ...workerEnv } = spec.env;
    pool.retire(name);
    const fn = spec.fn;
    // Least privilege: the worker reads its bundle and the harness, writes its own directory.
    const launch = sandboxLaunch(options.dataDir, name, built.reads);
    const record: FunctionRecord = {
      state: 'ready',
      codeHash: built.codeHash,
      fn,
      deployed: {
        name,
        program: built.path,
        // No --enable-source-maps: the worker maps stacks itself, lazily (sourceMappedStacks.ts).
        // The heap is held to the step's memory, as a FaaS sandbox is.
        execArgv: [...launch.execArgv, `--max-old-space-size=${fn.memoryMb}`],
        cwd: launch.workDir,
        timeoutMs: fn.timeoutMs,
        memoryMb: fn.memoryMb,
        processConcurrency: profile.behaviour.processConcurrency ?? DEFAULT_PROCESS_CONCURRENCY,
        // Only what the runtime needs: never the cloud's own environment (the API's, when it
        // started the clouds) nor the trace secret, which the host keeps.
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          TMPDIR: launch.workDir,
          HOME: launch.workDir,
          ...workerEnv,
        },
        init: {
          program: 'jointflow',
          cloud: profile.id,
          // The live object: a worker started after setPeers sees every peer.
          peers,
          deployment: spec.deployment,
          fn,
          context: spec.context satisfies FunctionContext,
        },
      },
    };
    if (traceUrl !== undefined) record.traceUrl = traceUrl;
    if (secret !== undefined) record.secret = secret;
    functions.set(name, record);
    saveFunction.run(
      name,
      spec.deployment,
      JSON.stringify(spec),
      'ready',
      null,
      built.codeHash,
      built.path,
    );
    // A deploy is followed by a run (jointflow run, the designer's Run): start its process now.
    if (prewarm) pool.prewarm(record.deployed);
    pump();
    return view(record);
  }

  function deployedOrThrow(name: string): FunctionRecord & { state: 'ready' } {
    const record = functions.get(name);
    if (record?.state !== 'ready') {
      throw new CloudError(
        404,
        'ResourceNotFoundException',
        `Function not found: ${name} is ${record?.state ?? 'not deployed'} on ${profile.id}; deploy it first`,
      );
    }
    return record;
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

  function bill(
    record: FunctionRecord & { state: 'ready' },
    invocation: Invocation,
    outcome: RunOutcome,
    attempt: number,
    delivery: number,
    timing?: { queuedMs: number; wallMs: number },
  ) {
    billRun(
      {
        name: record.deployed.name,
        memoryMb: record.fn.memoryMb,
        functionClass: record.fn.functionClass,
        ...(record.traceUrl !== undefined
          ? { trace: { url: record.traceUrl, secret: record.secret ?? '' } }
          : {}),
      },
      invocation,
      outcome,
      attempt,
      delivery,
      timing,
    );
  }

  /**
   * Meters one run and, when the function reports to an ingest and the run was a Jointflow
   * invocation, emits its `invocation.billed` trace event (zip functions too).
   */
  function billRun(
    fn: {
      name: string;
      memoryMb: number;
      functionClass: string;
      trace?: { url: string; secret: string };
    },
    invocation: Invocation | undefined,
    outcome: RunOutcome,
    attempt: number,
    delivery: number,
    timing?: { queuedMs: number; wallMs: number },
  ) {
    const { billedMs, costUsd } = billInvocation(
      profile,
      outcome.durationMs,
      fn.memoryMb,
      fn.functionClass,
    );
    metering.record(fn.name, outcome.ok, billedMs, costUsd);
    if (fn.trace === undefined || invocation === undefined) return;
    const instance = instanceKey(invocation.fn, invocation.scope);
    const at = Date.now();
    const event: TraceEvent = {
      id: `${invocation.execution}/${instance}/invocation.billed/${attempt}@${profile.id}#${delivery}`,
      execution: invocation.execution,
      deployment: invocation.deployment,
      instance,
      node: invocation.fn,
      kind: 'invocation.billed',
      cloud: profile.id,
      attempt,
      hlc: `${at}-0-${profile.id}`,
      at,
      durationMs: Math.round(outcome.durationMs * 1000) / 1000,
      billedMs,
      costUsd,
    };
    if (timing !== undefined) {
      // Time in pool.run beyond the handler's own run is the sandbox's start (cold) or a wait
      // for a free slot (warm, counted as queueing): the run timeline splits the bar with these.
      const overheadMs = Math.max(0, timing.wallMs - outcome.durationMs);
      event.coldStartMs = outcome.coldStart ? Math.round(overheadMs) : 0;
      if (outcome.coldStart) coldStarts.add(overheadMs);
      event.queuedMs = Math.round(timing.queuedMs + (outcome.coldStart ? 0 : overheadMs));
    }
    if (!outcome.ok) event.error = { message: outcome.error.message };
    outbox.append(fn.trace.url, fn.trace.secret, [event]);
  }

  /**
   * Why the last delivery of a queued invocation ended without an answer, by queue row. Kept in
   * memory: after a restart of the cloud the next delivery runs the code again.
   */
  const platformFailures = new Map<number, PlatformFailure>();
  let pumping = false;
  let pumpAgain = false;
  let dueTimer: { at: number; timer: NodeJS.Timeout } | undefined;

  /** Dispatches every due invocation that can start now; called on accept and on free capacity. */
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
            const record = functions.get(fn);
            // Not deployed: take it anyway, dispatch dead-letters it.
            if (record?.state !== 'ready') return record?.state === 'deploying' ? 'none' : 'warm';
            return pool.availability(fn, solo);
          });
          if (entry === undefined) break;
          void dispatch(entry);
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

  async function dispatch(entry: QueueEntry) {
    if (isZipKey(entry.fn)) {
      await dispatchZip(entry);
      return;
    }
    const record = functions.get(entry.fn);
    if (record?.state !== 'ready') {
      queue.deadLetter(
        entry,
        `FUNCTION_NOT_DEPLOYED: ${entry.fn} is not deployed on ${profile.id}`,
      );
      return;
    }
    inFlight++;
    // Enough deliveries for the step's own retry policy to see its crashes and timeouts: the
    // delivery after the last allowed attempt commits the failure (the runtime's job).
    const maxAttempts = Math.max(profile.behaviour.asyncRetries + 1, record.fn.retries + 2);
    try {
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
      const dispatchedAt = performance.now();
      const queuedMs = Math.max(0, Date.now() - Math.max(entry.queuedAt, entry.dueAt));
      const outcome = await pool.run(record.deployed, request);
      if (closed) return;
      bill(record, invocation, outcome, entry.attempt, entry.id, {
        queuedMs,
        wallMs: performance.now() - dispatchedAt,
      });
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
      } else if (entry.attempt < maxAttempts)
        queue.retry(entry, Date.now() + profile.behaviour.asyncRetryDelayMs);
      else {
        platformFailures.delete(entry.id);
        queue.deadLetter(entry, outcome.error.stack ?? outcome.error.message);
      }
    } catch (error) {
      // A bug here must not take the cloud down, nor lose the invocation: retry it later.
      cloudLog().error(`dispatch of queue row ${entry.id} failed`, {
        cloud: profile.id,
        row: entry.id,
        error: error instanceof Error ? error : String(error),
      });
      if (!closed) {
        if (entry.attempt < maxAttempts)
          queue.retry(entry, Date.now() + profile.behaviour.asyncRetryDelayMs);
        else queue.deadLetter(entry, error instanceof Error ? error.message : String(error));
      }
    } finally {
      inFlight--;
      pump();
    }
  }

  // Zip functions (Lambda / FC API). Their pool and queue key is `zip:<name>:<version>`, so a
  // published version keeps its own warm sandboxes and `$LATEST` retires its own on a change.
  const zips: ZipFunctions = createZipFunctions({
    dataDir: options.dataDir,
    db: db.store,
    nameTaken: (name) => functions.has(name),
    onChange(fn: ZipFunction) {
      pool.retire(zipKey(fn.name, '$LATEST'));
      // A deleted function's versions go too (a version's code never changes otherwise).
      if (zips.find(fn.name) !== fn) {
        for (const v of fn.versions) pool.retire(zipKey(fn.name, v.version));
      }
      pump();
    },
  });

  function zipBilling(target: ZipTarget) {
    const url = target.config.env.JF_TRACE_URL;
    return {
      name: target.fn.name,
      memoryMb: target.config.memoryMb,
      functionClass: 'cpu',
      ...(url !== undefined
        ? { trace: { url, secret: target.config.env.JF_TRACE_SECRET ?? '' } }
        : {}),
    };
  }

  /** What the worker pool needs to run `target` (the sandbox program is built on first use). */
  async function zipDeployed(target: ZipTarget, key: string): Promise<DeployedFunction> {
    const { fn, config } = target;
    const timeoutMs = config.timeoutS * 1000;
    const arn =
      fn.api === 'lambda'
        ? `arn:aws:lambda:${fn.region}:000000000000:function:${fn.name}`
        : `acs:fc:${fn.region}:000000000000:functions/${fn.name}`;
    const program = await zipProgram();
    // Its code and the sandbox program to read, a directory of its own to write (`TMPDIR`).
    const launch = sandboxLaunch(options.dataDir, key, [`${target.codeDir}/`, program]);
    return {
      name: key,
      program,
      execArgv: launch.execArgv,
      cwd: target.codeDir,
      timeoutMs,
      // A zip handler is a real Lambda/FC handler: one invocation per process, as there.
      processConcurrency: 1,
      env: { ...sandboxEnv(target, timeoutMs), TMPDIR: launch.workDir },
      init: {
        program: 'zip',
        api: fn.api,
        codeDir: target.codeDir,
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
    inFlight++;
    const maxAttempts = profile.behaviour.asyncRetries + 1;
    try {
      const event =
        (entry.parsed as ZipEvent | undefined) ?? spooledZipEvent(target.fn.api, entry.body);
      const invocation = jointflowInvocationOf(event);
      const crashAt = injector.crashPoint(entry.fault, entry.attempt, maxAttempts);
      const deployed = await zipDeployed(target, entry.fn);
      const dispatchedAt = performance.now();
      const queuedMs = Math.max(0, Date.now() - Math.max(entry.queuedAt, entry.dueAt));
      const outcome = await pool.run(deployed, {
        // Lambda keeps one request id across the retries of an asynchronous invocation.
        payload: { program: 'zip', event, requestId: requestIdOf(`${profile.id}/${entry.id}`) },
        delivery: { attempt: entry.attempt, platformRetry: entry.attempt > 1 },
        ...(crashAt ? { crashAt } : {}),
      });
      if (closed) return;
      billRun(zipBilling(target), invocation, outcome, entry.attempt, entry.id, {
        queuedMs,
        wallMs: performance.now() - dispatchedAt,
      });
      if (outcome.ok) queue.finish(entry);
      else if (entry.attempt < maxAttempts)
        queue.retry(entry, Date.now() + profile.behaviour.asyncRetryDelayMs);
      else queue.deadLetter(entry, outcome.error.stack ?? outcome.error.message);
    } catch (error) {
      cloudLog().error(`dispatch of queue row ${entry.id} failed`, {
        cloud: profile.id,
        row: entry.id,
        error: error instanceof Error ? error : String(error),
      });
      if (!closed) {
        if (entry.attempt < maxAttempts)
          queue.retry(entry, Date.now() + profile.behaviour.asyncRetryDelayMs);
        else queue.deadLetter(entry, error instanceof Error ? error.message : String(error));
      }
    } finally {
      inFlight--;
      pump();
    }
  }

  // Functions deployed before a restart come back; their queued invocations run again.
  for (const row of loadFunctions.all()) {
    const spec = deploymentSchema.safeParse(JSON.parse(row.spec));
    if (spec.success) void deployFrom(row.name, spec.data);
  }
  outbox.kick();
  const sweeper = setInterval(() => kv.sweepExpired(), 30_000);
  sweeper.unref();

  return {
    profile,
    kv,
    blobs,
    metering,
    setPeers(next) {
      for (const [id, url] of Object.entries(next)) peers[id] = url;
      pool.peersChanged();
    },
    async deploy(name, body) {
      const parsed = deploymentSchema.safeParse(body);
      if (!parsed.success) {
        throw new CloudError(
          400,
          'LOCAL_BAD_DEPLOYMENT',
          `not a function deployment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      if (zips.find(name) !== undefined) {
        throw new CloudError(
          409,
          'LOCAL_NAME_TAKEN',
          `${name} is a zip function created through the Lambda or FC API on ${profile.id}; delete it there first`,
        );
      }
      if (deployedFunctionName(parsed.data.deployment, parsed.data.fn.name) !== name) {
        throw new CloudError(
          400,
          'LOCAL_BAD_DEPLOYMENT',
          `function ${name} does not match the deployment's name`,
        );
      }
      return deployFrom(name, parsed.data, true);
    },
    remove(name) {
      functions.delete(name);
      deleteFunction.run(name);
      pool.retire(name);
    },
    describe: (name) => view(functions.get(name)),
    listFunctions: () => [...functions].map(([name, record]) => ({ name, state: view(record) })),
    servePorts(api) {
      portApi = api;
    },
    acceptEvent(name, body, bytes) {
      checkOutage();
      deployedOrThrow(name);
      const invocation = parseInvocation(name, body, bytes, profile.limits.asyncPayloadBytes);
      const identity = identityOf(invocation);
      const faults = injector.onAccept(identity);
      if (faults.drop) return;
      const text = JSON.stringify(invocation);
      const copies = faults.duplicate ? 2 : 1;
      // A timer invocation (a time window's close) waits in the durable queue, not in a sandbox.
      const due = Math.max(Date.now(), invocation.notBefore ?? 0);
      for (let copy = 0; copy < copies; copy++) {
        queue.enqueue(
          name,
          invocation.execution,
          text,
          due + faults.delayMs * (copy + 1),
          `${identity}#${copy}`,
          invocation,
        );
      }
      pump();
    },
    async invokeSync(name, body, bytes) {
      checkOutage();
      const record = deployedOrThrow(name);
      const invocation = parseInvocation(name, body, bytes, profile.limits.syncPayloadBytes);
      const outcome = await pool.run(record.deployed, {
        payload: { program: 'jointflow', invocation },
        delivery: { attempt: 1, platformRetry: false },
      });
      bill(record, invocation, outcome, 1, 0);
      return outcome;
    },
    zips,
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
      const key = zipKey(name, target.version);
      const requestId = newRequestId();
      if (faults.drop) return { requestId };
      // The spool row holds JSON: Lambda's event as sent, FC's bytes as a base64 string.
      const text = 'json' in event ? JSON.stringify(event.json) : JSON.stringify(event.base64);
      const copies = faults.duplicate ? 2 : 1;
      const due = Math.max(Date.now(), invocation?.notBefore ?? 0);
      for (let copy = 0; copy < copies; copy++) {
        queue.enqueue(
          key,
          invocation?.execution ?? '',
          text,
          due + faults.delayMs * (copy + 1),
          `${identity}#${copy}`,
          event,
        );
      }
      pump();
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
      billRun(zipBilling(target), jointflowInvocationOf(event), outcome, 1, 0, {
        queuedMs: 0,
        wallMs: performance.now() - started,
      });
      return { outcome, version: target.version, requestId, timeoutS: target.config.timeoutS };
    },
    injectFaults(spec) {
      injector.configure(spec);
      pump();
    },
    faults: () => injector.spec(),
    outageUntil: () => injector.outageUntil(Date.now()),
    deadLetters: () =>
      listDead.all().map((r) => ({
        id: r.id,
        function: r.function,
        invocation: JSON.parse(r.body),
        attempts: r.attempts,
        error: r.error,
        at: r.at,
      })),
    pendingOf: (execution) => queue.pendingOf(execution),
    stats: () => ({
      workers: pool.list(),
      queued: queue.size(),
      waiting: queue.waiting(),
      inFlight,
      storeOps: kv.ops(),
      measured: {
        coldStartMs: coldStarts.median(),
        coldStarts: coldStarts.count(),
        sandboxes:
          options.maxWorkers *
          Math.max(1, profile.behaviour.processConcurrency ?? DEFAULT_PROCESS_CONCURRENCY),
      },
    }),
    async close() {
      closed = true;
      clearInterval(sweeper);
      if (dueTimer !== undefined) clearTimeout(dueTimer.timer);
      await pool.stop();
      await outbox.drain(1_000);
      outbox.close();
      queue.flush();
      metering.close();
      db.close();
    },
  };
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
