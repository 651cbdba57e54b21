import type { CloudMeasurements, CloudProfile } from '@jointflow/ir';
import type { DeadLetterRow, FaultSpec } from '@jointflow/shims';
import { createAsyncQueue } from './asyncQueue';
import { createBilling } from './billing';
import { type BlobFiles, createBlobFiles } from './blobFiles';
import { createBundler, createZipSandboxProgram } from './bundler';
import { createColdStarts } from './coldStarts';
import { type Durability, openCloudDatabase } from './database';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { createFaultInjector } from './faults';
import {
  createFunctionRegistry,
  DEFAULT_PROCESS_CONCURRENCY,
  type FunctionStateView,
} from './functionRegistry';
import { createKvStore, type KvStore, type StoreOpStats } from './kvStore';
import { createMetering, type Metering } from './metering';
import { removeStaging } from './sandboxPermissions';
import { createSpoolWriter } from './spoolWriter';
import { createTraceOutbox } from './traceOutbox';
import { createWorkerPool } from './workerPool';
import type { PortAnswer, PortCall } from './workerProtocol';
import { createZipFunctions, type ZipFunction, type ZipFunctions } from './zipFunctions';
import { zipKey } from './zipInvocation';

export { CloudError } from './cloudError';
export {
  DEFAULT_PROCESS_CONCURRENCY,
  deploymentSchema,
  type FunctionStateView,
} from './functionRegistry';

/**
 * One local cloud: everything but HTTP. The server (server.ts) maps requests onto these methods.
 * It wires three parts: the function registry (functionRegistry.ts: deploy, describe, remove,
 * bundles), the dispatcher (dispatcher.ts: acceptance into the async queue, dispatch to the
 * worker pool, retries, dead letters, faults) and billing (billing.ts: metering, billed trace
 * events). See README.md for the process model, durability and the fault model.
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

/** Invocations (Event, RequestResponse; bundled and zip functions) are the dispatcher's. */
export interface Cloud
  extends Pick<Dispatcher, 'acceptEvent' | 'invokeSync' | 'acceptZipEvent' | 'invokeZipSync'> {
  readonly profile: CloudProfile;
  readonly kv: KvStore;
  readonly blobs: BlobFiles;
  setPeers(peers: Record<string, string>): void;
  deploy(name: string, body: unknown): Promise<FunctionStateView>;
  remove(name: string): void;
  describe(name: string): FunctionStateView;
  listFunctions(): { name: string; state: FunctionStateView }[];
  /** Zip functions created through the Lambda or FC API (zipFunctions.ts). */
  readonly zips: ZipFunctions;
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

export function createCloud(options: CloudOptions): Cloud {
  const { profile } = options;
  const db = openCloudDatabase(options.dataDir, options.durability);
  const kv = createKvStore(db.store);
  const blobs = createBlobFiles(options.dataDir, options.durability);
  const injector = createFaultInjector();
  // Queue rows and trace batches: one spool transaction per event-loop turn, after its sends.
  const spoolWriter = createSpoolWriter(db.spool, profile.id);
  const outbox = createTraceOutbox(db.spool, spoolWriter);
  const metering = createMetering(db.spool);
  const coldStarts = createColdStarts();
  const queue = createAsyncQueue(db.spool, 500, spoolWriter);
  const peers: Record<string, string> = { ...options.peers };
  let portApi: ((call: PortCall) => Promise<PortAnswer>) | undefined;
  // The parts call each other back only after construction (a trace, free capacity, a deploy).
  let dispatcher: Dispatcher | undefined;
  const pump = () => dispatcher?.pump();

  const pool = createWorkerPool({
    cloud: profile.id,
    peers,
    coldStartMs: profile.behaviour.coldStartMs,
    keepWarmMs: profile.behaviour.keepWarmMs,
    concurrency: profile.limits.concurrency,
    maxWorkers: options.maxWorkers,
    onTrace(fn, events) {
      const record = registry.get(fn);
      if (record?.state === 'ready' && record.traceUrl !== undefined) {
        outbox.append(record.traceUrl, record.secret ?? '', events);
      }
    },
    onCapacity: pump,
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

  const registry = createFunctionRegistry({
    profile,
    dataDir: options.dataDir,
    db: db.store,
    pool,
    bundle: createBundler(options.dataDir),
    peers,
    zipNameTaken: (name) => zips.find(name) !== undefined,
    onReady: pump,
  });

  // Zip functions (Lambda / FC API). Their pool and queue key is `zip:<name>:<version>`, so a
  // published version keeps its own warm sandboxes and `$LATEST` retires its own on a change.
  const zips: ZipFunctions = createZipFunctions({
    dataDir: options.dataDir,
    db: db.store,
    nameTaken: (name) => registry.has(name),
    onChange(fn: ZipFunction) {
      pool.retire(zipKey(fn.name, '$LATEST'));
      // A deleted function's versions go too (a version's code never changes otherwise).
      if (zips.find(fn.name) !== fn) {
        for (const v of fn.versions) pool.retire(zipKey(fn.name, v.version));
      }
      pump();
    },
  });

  const active = createDispatcher({
    profile,
    dataDir: options.dataDir,
    queue,
    pool,
    injector,
    registry,
    zips,
    billing: createBilling({ profile, metering, coldStarts, outbox }),
    zipProgram: createZipSandboxProgram(options.dataDir),
  });
  dispatcher = active;

  const listDead = db.spool.prepare<
    [],
    { id: number; function: string; body: string; attempts: number; error: string; at: number }
  >('SELECT * FROM dead_letters ORDER BY id');

  // Functions deployed before a restart come back; their queued invocations run again.
  registry.restore();
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
    deploy: (name, body) => registry.deploy(name, body),
    remove: (name) => registry.remove(name),
    describe: (name) => registry.describe(name),
    listFunctions: () => registry.list(),
    servePorts(api) {
      portApi = api;
    },
    acceptEvent: (name, body, bytes) => active.acceptEvent(name, body, bytes),
    invokeSync: (name, body, bytes) => active.invokeSync(name, body, bytes),
    zips,
    acceptZipEvent: (api, name, qualifier, body) =>
      active.acceptZipEvent(api, name, qualifier, body),
    invokeZipSync: (api, name, qualifier, body) => active.invokeZipSync(api, name, qualifier, body),
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
      inFlight: active.inFlight(),
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
      active.close();
      clearInterval(sweeper);
      await pool.stop();
      await outbox.drain(1_000);
      outbox.close();
      queue.flush();
      metering.close();
      db.close();
      removeStaging(options.dataDir);
    },
  };
}
