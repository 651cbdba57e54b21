import { createHash } from 'node:crypto';
import type { WorkflowIR } from '@jointflow/ir';
import { createFunction, type StepOutcome, type UserHandler } from './createFunction';
import { type ExecutionResult, readExecutionResult, startExecution } from './execution';
import type {
  BlobStore,
  FaultPoint,
  Invocation,
  Invoker,
  KeyValueStore,
  PutIfAbsentResult,
  RuntimePorts,
  SlotFillResult,
  SlotFillState,
  TraceEvent,
} from './ports';
import { InvokeError } from './ports';

/**
 * TEST AND REFERENCE HARNESS, not a cloud. In-memory ports with a delivery queue that behaves
 * like an async FaaS platform (redelivery of failed invocations with `platformRetry`), plus
 * seeded fault injection: crashes at the protocol's fault points, duplicate and dropped
 * deliveries, reordering, and clouds whose invokes are refused. It serves fast unit tests of the
 * protocol and the reference fault-free run (`runInMemory`). The real exactly-once tests run in
 * packages/local-cloud against real processes and a durable store.
 */

type StoreOp = 'get' | 'getMany' | 'putIfAbsent' | 'fillSlot' | 'readSlots' | 'seal' | 'delete';

function copy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * An in-memory key-value store that counts its operations (one per round trip). A value past
 * its TTL (wall clock) reads as absent, as in every real store.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  private readonly expiresAt = new Map<string, number>();
  readonly slotRecords = new Map<
    string,
    { size: number; slots: Map<number, unknown>; sealed?: boolean }
  >();

  /** `maxSlotsPerRecord` lets tests run the join tree a DynamoDB-like store needs. */
  constructor(readonly maxSlotsPerRecord?: number) {}

  readonly ops: Record<StoreOp, number> = {
    get: 0,
    getMany: 0,
    putIfAbsent: 0,
    fillSlot: 0,
    readSlots: 0,
    seal: 0,
    delete: 0,
  };

  /** Total operations so far. */
  get opCount(): number {
    return Object.values(this.ops).reduce((a, b) => a + b, 0);
  }

  async get(key: string): Promise<unknown | undefined> {
    this.ops.get += 1;
    await Promise.resolve();
    return copy(this.live(key));
  }

  async getMany(keys: readonly string[]): Promise<(unknown | undefined)[]> {
    this.ops.getMany += 1;
    await Promise.resolve();
    return keys.map((k) => copy(this.live(k)));
  }

  private live(key: string): unknown | undefined {
    const until = this.expiresAt.get(key);
    if (until !== undefined && until <= Date.now()) {
      this.values.delete(key);
      this.expiresAt.delete(key);
    }
    return this.values.get(key);
  }

  async putIfAbsent(
    key: string,
    value: unknown,
    options?: { ttlMs?: number },
  ): Promise<PutIfAbsentResult> {
    this.ops.putIfAbsent += 1;
    await Promise.resolve();
    const existing = this.live(key);
    if (existing !== undefined) return { won: false, existing: copy(existing) };
    this.values.set(key, copy(value));
    if (options?.ttlMs !== undefined) this.expiresAt.set(key, Date.now() + options.ttlMs);
    return { won: true };
  }

  async fillSlot(key: string, slot: number, size: number, value: unknown): Promise<SlotFillResult> {
    this.ops.fillSlot += 1;
    await Promise.resolve();
    let record = this.slotRecords.get(key);
    if (record === undefined) {
      record = { size, slots: new Map() };
      this.slotRecords.set(key, record);
    }
    if (record.sealed === true) return { sealed: true };
    const newlyFilled = !record.slots.has(slot);
    if (newlyFilled) record.slots.set(slot, copy(value));
    const result: SlotFillState = { filled: record.slots.size, size: record.size, newlyFilled };
    if (result.filled !== result.size) return result;
    const { slots, size: recordSize } = record;
    const values = Array.from({ length: recordSize }, (_, i) => copy(slots.get(i)));
    return values.includes(undefined) ? result : { ...result, values };
  }

  async readSlots(key: string): Promise<(unknown | undefined)[]> {
    this.ops.readSlots += 1;
    await Promise.resolve();
    const record = this.slotRecords.get(key);
    if (record === undefined || record.sealed === true) return [];
    return Array.from({ length: record.size }, (_, i) => copy(record.slots.get(i)));
  }

  async seal(prefix: string, tombstone: unknown, options?: { ttlMs: number }): Promise<void> {
    this.ops.seal += 1;
    await Promise.resolve();
    for (const key of this.values.keys()) {
      if (!key.startsWith(prefix)) continue;
      this.values.set(key, copy(tombstone));
      if (options !== undefined) this.expiresAt.set(key, Date.now() + options.ttlMs);
    }
    for (const [key, record] of this.slotRecords) {
      if (key.startsWith(prefix))
        this.slotRecords.set(key, { size: record.size, slots: new Map(), sealed: true });
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.ops.delete += 1;
    await Promise.resolve();
    for (const key of keys) {
      this.values.delete(key);
      this.expiresAt.delete(key);
      this.slotRecords.delete(key);
    }
  }
}

/** In-memory content-addressed blobs (SHA-256 hex keys). */
export class MemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Uint8Array>();

  async put(bytes: Uint8Array): Promise<string> {
    const key = createHash('sha256').update(bytes).digest('hex');
    this.blobs.set(key, bytes.slice());
    return key;
  }

  async get(key: string): Promise<Uint8Array> {
    const bytes = this.blobs.get(key);
    if (bytes === undefined) throw new Error(`MEMORY_BLOB_MISSING: no blob ${key}`);
    return bytes.slice();
  }
}

/** Seeded faults for the memory harness. Probabilities are per delivery or per invoke. */
export interface MemoryFaults {
  seed?: number;
  /** Probability of a crash at each protocol fault point. */
  crash?: Partial<Record<FaultPoint, number>>;
  /** Probability that an invoke is delivered twice. */
  duplicate?: number;
  /** Probability that an accepted invoke is silently never delivered. */
  drop?: number;
  /** Deliver pending invocations in random order. */
  reorder?: boolean;
  /** Clouds whose invoke API refuses every call (an outage of compute). */
  down?: string[];
}

/** Thrown by the harness's fault points: the "process" dies here. */
export class SimulatedCrash extends Error {
  constructor(
    readonly point: FaultPoint,
    readonly instance: string,
  ) {
    super(`simulated crash at ${point} of ${instance}`);
  }
}

interface Delivery {
  cloud: string;
  invocation: Invocation;
  attempt: number;
}

export interface MemoryCloudOptions {
  faults?: MemoryFaults;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** Deliveries per invocation before it goes to the dead letters (Lambda: 1 + 2 retries). */
  maxAttempts?: number;
  /** Give each function the whole IR (default true); false runs them on their own config only. */
  passWorkflow?: boolean;
  /** Every store's `maxSlotsPerRecord` (default unbounded), to run the join tree (joinTree.ts). */
  maxSlotsPerRecord?: number;
}

/** The in-memory world: stores and blobs per cloud, a delivery queue, the trace as delivered. */
export interface MemoryCloud {
  /** Ports as a function on `cloud` sees them (each delivery gets its own trace buffer). */
  ports(cloud: string): RuntimePorts;
  store(cloud: string): MemoryKeyValueStore;
  blobs(cloud: string): MemoryBlobStore;
  /** Registers the functions of `ir` under `deployment`, with user code by node name. */
  deploy(ir: WorkflowIR, handlers: Record<string, UserHandler>, deployment: string): void;
  /** Delivers queued invocations until none is pending. */
  drain(): Promise<void>;
  /** Trace events that reached the sink (flushed), in order. */
  readonly events: TraceEvent[];
  readonly outcomes: StepOutcome[];
  readonly deadLetters: { delivery: Delivery; error: unknown }[];
  /** Every invocation accepted by the invoker (before drops and duplicates). */
  readonly invoked: { cloud: string; invocation: Invocation }[];
  faults: MemoryFaults;
  /** Total store operations across all clouds. */
  storeOps(): number;
}

/** A small seeded PRNG (mulberry32) so fault runs are reproducible. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Creates the in-memory harness (TEST/REFERENCE ONLY; see the file comment).
 *
 * @example
 * const cloud = createMemoryPorts({ faults: { seed: 7, crash: { 'after-commit': 0.2 } } });
 * cloud.deploy(ir, handlers, 'd1');
 */
export function createMemoryPorts(options: MemoryCloudOptions = {}): MemoryCloud {
  const stores = new Map<string, MemoryKeyValueStore>();
  const blobStores = new Map<string, MemoryBlobStore>();
  const deployments = new Map<string, { ir: WorkflowIR; handlers: Record<string, UserHandler> }>();
  const queue: Delivery[] = [];
  const concurrency = options.concurrency ?? 8;
  const maxAttempts = options.maxAttempts ?? 3;
  const events: TraceEvent[] = [];
  const outcomes: StepOutcome[] = [];
  const deadLetters: { delivery: Delivery; error: unknown }[] = [];
  const invoked: { cloud: string; invocation: Invocation }[] = [];
  let random = seededRandom(options.faults?.seed ?? 1);
  let faultsState: MemoryFaults = options.faults ?? {};

  const store = (cloud: string) => {
    let s = stores.get(cloud);
    if (s === undefined) {
      s = new MemoryKeyValueStore(options.maxSlotsPerRecord);
      stores.set(cloud, s);
    }
    return s;
  };
  const blobs = (cloud: string) => {
    let b = blobStores.get(cloud);
    if (b === undefined) {
      b = new MemoryBlobStore();
      blobStores.set(cloud, b);
    }
    return b;
  };

  const invoker: Invoker = {
    async invokeAsync(cloud, invocation) {
      await Promise.resolve();
      if (faultsState.down?.includes(cloud)) {
        throw new InvokeError('INVOKE_UNAVAILABLE', `cloud ${cloud} refuses invokes (outage)`);
      }
      const copyOf = copy(invocation);
      invoked.push({ cloud, invocation: copyOf });
      if (random() < (faultsState.drop ?? 0)) return;
      queue.push({ cloud, invocation: copyOf, attempt: 1 });
      if (random() < (faultsState.duplicate ?? 0)) {
        queue.push({ cloud, invocation: copy(invocation), attempt: 1 });
      }
    },
  };

  const portsFor = (cloud: string, buffer: TraceEvent[] | undefined): RuntimePorts => ({
    cloud,
    store,
    blobs,
    invoker,
    now: () => Date.now(),
    trace: {
      emit: (event) => {
        if (buffer === undefined) events.push(copy(event));
        else buffer.push(copy(event));
      },
      flush: async () => {
        if (buffer !== undefined) events.push(...buffer.splice(0));
      },
    },
    faultPoint: (point, instance) => {
      if (random() < (faultsState.crash?.[point] ?? 0)) throw new SimulatedCrash(point, instance);
    },
  });

  async function deliver(delivery: Delivery): Promise<void> {
    const { invocation } = delivery;
    const deployed = deployments.get(invocation.deployment);
    const fn = deployed?.ir.functions[invocation.fn];
    if (deployed === undefined || fn === undefined) {
      deadLetters.push({
        delivery,
        error: new Error(`MEMORY_NOT_DEPLOYED: ${invocation.deployment}/${invocation.fn}`),
      });
      return;
    }
    // Each delivery buffers its own trace events; a crash loses what it had not flushed.
    const buffer: TraceEvent[] = [];
    try {
      const run = createFunction({
        context: {
          workflow: deployed.ir.workflow,
          irVersion: deployed.ir.version,
          resultStore: deployed.ir.resultStore,
        },
        fn,
        deployment: invocation.deployment,
        ...(deployed.handlers[fn.name] === undefined
          ? {}
          : { handler: deployed.handlers[fn.name] }),
        ports: portsFor(delivery.cloud, buffer),
        ...(options.passWorkflow === false ? {} : { workflow: deployed.ir }),
      });
      outcomes.push(
        await run(invocation, { attempt: delivery.attempt, platformRetry: delivery.attempt > 1 }),
      );
    } catch (error) {
      if (delivery.attempt < maxAttempts)
        queue.push({ ...delivery, attempt: delivery.attempt + 1 });
      else deadLetters.push({ delivery, error });
    }
  }

  return {
    ports: (cloud) => portsFor(cloud, undefined),
    store,
    blobs,
    deploy(ir, handlers, deployment) {
      deployments.set(deployment, { ir, handlers });
    },
    async drain() {
      const inflight = new Set<Promise<void>>();
      while (queue.length > 0 || inflight.size > 0) {
        while (queue.length > 0 && inflight.size < concurrency) {
          const index = faultsState.reorder === true ? Math.floor(random() * queue.length) : 0;
          const [next] = queue.splice(index, 1);
          if (next === undefined) break;
          const p: Promise<void> = deliver(next).finally(() => inflight.delete(p));
          inflight.add(p);
        }
        if (inflight.size > 0) await Promise.race(inflight);
      }
    },
    events,
    outcomes,
    deadLetters,
    invoked,
    get faults() {
      return faultsState;
    },
    set faults(next: MemoryFaults) {
      faultsState = next;
      random = seededRandom(next.seed ?? 1);
    },
    storeOps: () => [...stores.values()].reduce((sum, s) => sum + s.opCount, 0),
  };
}

/**
 * The reference run (TEST/REFERENCE ONLY): deploys `ir` with `handlers` in a fresh in-memory
 * world, starts one execution with `input`, delivers until quiescent and returns the result.
 *
 * @example
 * const { result } = await runInMemory(ir, { double: (x) => (x as number) * 2 }, 21);
 */
export async function runInMemory(
  ir: WorkflowIR,
  handlers: Record<string, UserHandler>,
  input: unknown,
  options: MemoryCloudOptions & { execution?: string } = {},
): Promise<{ execution: string; result: ExecutionResult; cloud: MemoryCloud }> {
  const cloud = createMemoryPorts(options);
  const deployment = 'memory';
  cloud.deploy(ir, handlers, deployment);
  const ports = cloud.ports('api');
  const { execution } = await startExecution(ports, {
    ir,
    deployment,
    input,
    ...(options.execution === undefined ? {} : { execution: options.execution }),
  });
  await cloud.drain();
  const result = await readExecutionResult(cloud.store(ir.resultStore), execution, cloud.blobs);
  return { execution, result, cloud };
}
