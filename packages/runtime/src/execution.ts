import type { WorkflowIR } from '@jointflow/ir';
import { resolveDataRef, toDataRef } from './dataRef';
import { isValidExecutionId, keys } from './keys';
import type { BlobStore, Invocation, KeyValueStore, RuntimePorts } from './ports';
import { InvokeError } from './ports';
import {
  type ClosedMarker,
  closedMarkerSchema,
  isTombstone,
  parseStored,
  resultRecordSchema,
  type StartRecord,
  type StepError,
  startRecordSchema,
  tombstoneOf,
} from './records';
import { RuntimeError } from './runtimeError';

/**
 * Execution-level operations the API and the CLI call: start, read the result, redrive (the
 * watchdog's and the user's "rerun from the failed step"), and close after completion.
 */

/** What `startExecution` needs to know about a workflow, when the whole IR is not at hand. */
export interface StartSpec {
  start: string;
  resultStore: string;
  version: string;
  /** The start function's primary cloud and its replicas. */
  cloud: string;
  failover: string[];
}

/** Inline limit of the start input when the caller gives none: Aliyun FC's 128 KB less the envelope. */
export const DEFAULT_START_INLINE_LIMIT_BYTES = 128 * 1024 - 4096;
/** How long closed markers live: beyond every cloud's redelivery age plus the redrive window. */
export const DEFAULT_CLOSED_TTL_MS = 30 * 24 * 3600 * 1000;

function startSpecOf(ir: WorkflowIR | StartSpec): StartSpec {
  if (!('functions' in ir)) return ir;
  const fn = ir.functions[ir.start];
  if (fn === undefined) {
    throw new RuntimeError(
      'RUNTIME_BAD_IR',
      `the IR's start function "${ir.start}" is not among its functions; recompile the workflow`,
    );
  }
  return {
    start: ir.start,
    resultStore: ir.resultStore,
    version: ir.version,
    cloud: fn.cloud,
    failover: fn.failover,
  };
}

async function invokeWithFailover(
  ports: Pick<RuntimePorts, 'invoker'>,
  clouds: readonly string[],
  invocation: Invocation,
): Promise<void> {
  let lastError: unknown;
  for (const cloud of clouds) {
    try {
      await ports.invoker.invokeAsync(cloud, invocation);
      return;
    } catch (error) {
      if (!(error instanceof InvokeError)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Starts an execution: records its start invocation durably (put-if-absent in the result
 * store, so a watchdog can redrive it) and invokes the start function, failing over to its
 * replicas. Calling it again with the same `execution` re-invokes the start flagged as a
 * possible duplicate, which is harmless.
 *
 * @example
 * const { execution } = await startExecution(ports, { ir, deployment: 'd1', input: { n: 3 } });
 */
export async function startExecution(
  ports: Pick<RuntimePorts, 'store' | 'blobs' | 'invoker' | 'now'>,
  options: {
    ir: WorkflowIR | StartSpec;
    deployment: string;
    execution?: string;
    input: unknown;
    /** Largest start input sent inline; larger inputs go through a blob in the result store. */
    inlineLimitBytes?: number;
  },
): Promise<{ execution: string; alreadyStarted: boolean }> {
  const spec = startSpecOf(options.ir);
  const execution = options.execution ?? globalThis.crypto.randomUUID();
  if (!isValidExecutionId(execution)) {
    throw new RuntimeError(
      'RUNTIME_BAD_EXECUTION_ID',
      `execution id "${execution}" may hold only letters, digits, "_", "." and "-" (at most 128)`,
    );
  }
  const input = await toDataRef(options.input, {
    mode: 'auto',
    limitBytes: options.inlineLimitBytes ?? DEFAULT_START_INLINE_LIMIT_BYTES,
    cloud: spec.resultStore,
    blobs: ports.blobs(spec.resultStore),
  });
  const record: StartRecord = {
    invocation: {
      execution,
      deployment: options.deployment,
      irVersion: spec.version,
      fn: spec.start,
      scope: [],
      input,
    },
    clouds: [spec.cloud, ...spec.failover],
    at: ports.now(),
  };
  const put = await ports.store(spec.resultStore).putIfAbsent(keys.start(execution), record);
  if (!put.won && isTombstone(put.existing)) {
    throw new RuntimeError(
      'RUNTIME_EXECUTION_CLOSED',
      `execution ${execution} was closed; start a new execution instead`,
    );
  }
  const stored = put.won
    ? record
    : parseStored(startRecordSchema, put.existing, keys.start(execution));
  await invokeWithFailover(ports, stored.clouds, {
    ...stored.invocation,
    ...(put.won ? {} : { possibleDuplicate: true }),
  });
  return { execution, alreadyStarted: !put.won };
}

export type ExecutionResult =
  | { status: 'running' }
  | { status: 'succeeded'; output: unknown; instance: string; at: number }
  | { status: 'failed'; error: StepError; instance: string; at: number }
  /** Closed and cleaned up: only the marker with the final status is left. */
  | { status: 'closed'; outcome: ClosedMarker['status']; closedAt: number };

type BlobsArgument = BlobStore | ((cloud: string) => BlobStore);

/**
 * Reads an execution's result from the result store's key-value store, resolving a blob output
 * through `blobs` (a blob store, or a function from cloud to blob store).
 *
 * @example
 * const result = await readExecutionResult(shim.store(), execution, (c) => shims[c].blobs());
 */
export async function readExecutionResult(
  store: KeyValueStore,
  execution: string,
  blobs?: BlobsArgument,
): Promise<ExecutionResult> {
  const [result, closed] = await store.getMany([keys.result(execution), keys.closed(execution)]);
  // The marker is written before the result is sealed, so it decides.
  if (closed !== undefined) {
    const marker = parseStored(closedMarkerSchema, closed, keys.closed(execution));
    return { status: 'closed', outcome: marker.status, closedAt: marker.closedAt };
  }
  if (result === undefined) return { status: 'running' };
  const parsed = parseStored(resultRecordSchema, result, keys.result(execution));
  if (parsed.status === 'failed') {
    return { status: 'failed', error: parsed.error, instance: parsed.instance, at: parsed.at };
  }
  const blobsOf = (cloud: string): BlobStore => {
    if (blobs === undefined) {
      throw new RuntimeError(
        'RUNTIME_NEEDS_BLOBS',
        `the result of ${execution} is a blob on ${cloud}; pass a blob store to readExecutionResult`,
      );
    }
    return typeof blobs === 'function' ? blobs(cloud) : blobs;
  };
  const output = await resolveDataRef(parsed.output, blobsOf);
  return { status: 'succeeded', output, instance: parsed.instance, at: parsed.at };
}

export type RedriveAction =
  /** Still running: the start was re-invoked flagged, and the run continues from its frontier. */
  | 'redriven'
  /** Had failed: the failed step's record and the failed result were deleted and the step re-invoked. */
  | 'rerun-failed'
  /** Already succeeded: nothing to do. */
  | 'none'
  | 'closed';

/**
 * The watchdog's redrive. A running execution's start invocation is re-invoked with
 * `possibleDuplicate`: every committed instance adopts its record and re-invokes its committed
 * continuations, so the run continues from its frontier and a dropped invoke is recovered.
 * A failed execution is rerun from the failed step: its failure record and the failed result
 * are deleted and the step is invoked again with its recorded input; committed successes keep
 * their checkpoints.
 */
export async function redriveExecution(
  ports: Pick<RuntimePorts, 'store' | 'invoker'>,
  options: { execution: string; resultStore: string },
): Promise<{ execution: string; action: RedriveAction }> {
  const { execution, resultStore } = options;
  const store = ports.store(resultStore);
  const [result, start, closed] = await store.getMany([
    keys.result(execution),
    keys.start(execution),
    keys.closed(execution),
  ]);
  if (closed !== undefined) return { execution, action: 'closed' };
  if (result !== undefined) {
    const parsed = parseStored(resultRecordSchema, result, keys.result(execution));
    if (parsed.status === 'succeeded') return { execution, action: 'none' };
    if (start === undefined) throw unknownExecution(execution, resultStore);
    const startRecord = parseStored(startRecordSchema, start, keys.start(execution));
    // Checkpoint first, result second: a crash in between leaves a failed result that still
    // names the step, and the next redrive repeats the (idempotent) deletes.
    await ports.store(parsed.homeStore).delete([keys.checkpoint(execution, parsed.instance)]);
    await store.delete([keys.result(execution)]);
    await invokeWithFailover(ports, parsed.clouds, {
      execution,
      deployment: startRecord.invocation.deployment,
      irVersion: startRecord.invocation.irVersion,
      fn: parsed.fn,
      scope: parsed.scope,
      input: parsed.input,
      possibleDuplicate: true,
    });
    return { execution, action: 'rerun-failed' };
  }
  if (start === undefined) throw unknownExecution(execution, resultStore);
  const parsed = parseStored(startRecordSchema, start, keys.start(execution));
  await invokeWithFailover(ports, parsed.clouds, { ...parsed.invocation, possibleDuplicate: true });
  return { execution, action: 'redriven' };
}

function unknownExecution(execution: string, resultStore: string): RuntimeError {
  return new RuntimeError(
    'RUNTIME_UNKNOWN_EXECUTION',
    `no start record for execution ${execution} in store ${resultStore}; check the execution id and the result store`,
  );
}

/** Every store an execution of `ir` may write: result store, home stores, join stores. */
export function executionStores(ir: WorkflowIR): string[] {
  const stores = new Set<string>([ir.resultStore]);
  for (const fn of Object.values(ir.functions)) {
    stores.add(fn.homeStore);
    if (fn.kind === 'join') stores.add(fn.store);
    for (const c of fn.continuations) {
      if (c.join !== undefined) stores.add(c.join.store);
      for (const s of c.skip) stores.add(s.store);
    }
  }
  return [...stores].sort();
}

/**
 * Closes a completed execution: writes the closed marker (with a long TTL) into every store the
 * execution touched, then seals the execution's items there: every checkpoint, memo, start and
 * result record is replaced by a tombstone carrying the marker (payloads are dropped), and every
 * join record is sealed. A late duplicate's commit is one put-if-absent on its own checkpoint's
 * item; it finds the tombstone there and exits, with no condition on a second key. Blobs are
 * content-addressed and may be shared between executions, so they are left to the blob store's
 * own expiry. Call it after completion plus a grace period.
 */
export async function closeExecution(
  ports: Pick<RuntimePorts, 'store' | 'now'>,
  options: { execution: string; resultStore: string; stores?: readonly string[]; ttlMs?: number },
): Promise<{ execution: string; stores: string[]; outcome: ClosedMarker['status'] }> {
  const { execution, resultStore } = options;
  const result = await ports.store(resultStore).get(keys.result(execution));
  if (result === undefined) {
    const closed = await ports.store(resultStore).get(keys.closed(execution));
    if (closed !== undefined) {
      const marker = parseStored(closedMarkerSchema, closed, keys.closed(execution));
      return { execution, stores: [resultStore], outcome: marker.status };
    }
    throw new RuntimeError(
      'RUNTIME_EXECUTION_RUNNING',
      `execution ${execution} has no result yet; close it only after it completed (redrive it if it stalled)`,
    );
  }
  const parsed = parseStored(resultRecordSchema, result, keys.result(execution));
  const marker: ClosedMarker = { closedAt: ports.now(), status: parsed.status };
  const stores = [...new Set([resultStore, ...(options.stores ?? [])])].sort();
  for (const cloud of stores) {
    await ports.store(cloud).putIfAbsent(keys.closed(execution), marker, {
      ttlMs: options.ttlMs ?? DEFAULT_CLOSED_TTL_MS,
    });
  }
  const ttlMs = options.ttlMs ?? DEFAULT_CLOSED_TTL_MS;
  await Promise.all(
    stores.map((cloud) =>
      ports.store(cloud).seal(keys.executionPrefix(execution), tombstoneOf(marker), { ttlMs }),
    ),
  );
  return { execution, stores, outcome: parsed.status };
}

/**
 * Cancels a running execution: writes the closed marker with status `cancelled` into every
 * store the execution touches, then seals its items as `closeExecution` does. Every step reads
 * the marker beside its commit (`createFunction.ts`): one that finds it keeps its commit but
 * invokes nothing, so the run ends at each running step's next commit and nothing new starts
 * (a step whose read was served just before the marker was written may invoke its successors
 * once more; they find it at their own commit). A late commit under a sealed item loses to the
 * tombstone. An execution that already has its result is not cancelled: the outcome says which.
 */
export async function cancelExecution(
  ports: Pick<RuntimePorts, 'store' | 'now'>,
  options: { execution: string; resultStore: string; stores?: readonly string[]; ttlMs?: number },
): Promise<{ execution: string; outcome: ClosedMarker['status'] }> {
  const { execution, resultStore } = options;
  const [result, closed] = await ports
    .store(resultStore)
    .getMany([keys.result(execution), keys.closed(execution)]);
  if (closed !== undefined) {
    return {
      execution,
      outcome: parseStored(closedMarkerSchema, closed, keys.closed(execution)).status,
    };
  }
  if (result !== undefined && !isTombstone(result)) {
    return {
      execution,
      outcome: parseStored(resultRecordSchema, result, keys.result(execution)).status,
    };
  }
  const ttlMs = options.ttlMs ?? DEFAULT_CLOSED_TTL_MS;
  const marker: ClosedMarker = { closedAt: ports.now(), status: 'cancelled' };
  const stores = [...new Set([resultStore, ...(options.stores ?? [])])].sort();
  // The result store first: once its marker is in, readers and redrives see the cancel.
  for (const cloud of stores) {
    await ports.store(cloud).putIfAbsent(keys.closed(execution), marker, { ttlMs });
  }
  await Promise.all(
    stores.map((cloud) =>
      ports.store(cloud).seal(keys.executionPrefix(execution), tombstoneOf(marker), { ttlMs }),
    ),
  );
  return { execution, outcome: 'cancelled' };
}
