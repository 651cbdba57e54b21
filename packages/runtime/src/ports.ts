import type { Invocation, TraceEvent } from './messages';

// The messages are zod schemas in messages.ts; the ports speak in their derived types.
export type { DataRef, Invocation, TraceEvent, TraceEventKind } from './messages';

/**
 * The ports: everything the runtime needs from a cloud, and nothing more. Shims implement them
 * (packages/shims); the runtime never imports a shim or a cloud SDK.
 *
 * Every port operation is one round trip to the cloud that owns the key. Keys are plain strings
 * built by the runtime from `execution/instance` (see keys.ts); values are JSON.
 */

/**
 * On conflict the store returns what is stored, whatever it is: a checkpoint, or the tombstone
 * that closing the execution left in its place (the runtime recognises it, see records.ts).
 */
export type PutIfAbsentResult = { won: true } | { won: false; existing: unknown };

export interface SlotFillState {
  /** Number of distinct slots filled, this one included. */
  filled: number;
  /** Size the record was created with (the first filler's size wins). */
  size: number;
  /** False when this slot was already filled (a duplicate branch). */
  newlyFilled: boolean;
  /**
   * All slot values in slot order, read in the same atomic step as the fill. Present only when
   * the record is full (`filled === size`), so every fill but the completing one stays O(1).
   * Optional: a store that omits it makes the join read its slots itself.
   */
  values?: unknown[];
}

/** `sealed`: the execution was closed and the record sealed; the fill was refused. */
export type SlotFillResult = SlotFillState | { sealed: true };

/**
 * A strongly consistent key-value store on one cloud.
 *
 * Every data-plane operation (get, getMany, putIfAbsent, fillSlot, readSlots) is one request
 * on one item: DynamoDB and Tablestore check conditions on a single item only. `seal` and
 * `delete` are maintenance (closing an execution, rerunning a failed step), off the critical
 * path, and may take several requests.
 */
export interface KeyValueStore {
  /**
   * Most slots one slot record may hold. Absent: unbounded (a store with a row per slot).
   * Joins wider than this become a tree of records (see joinTree.ts), so no item outgrows the
   * store's item limit (DynamoDB 400 KB).
   */
  readonly maxSlotsPerRecord?: number;
  get(key: string): Promise<unknown | undefined>;
  /** Reads several keys in one round trip; `undefined` where a key is absent. */
  getMany(keys: readonly string[]): Promise<(unknown | undefined)[]>;
  /**
   * Writes `value` unless `key` exists; on conflict returns the stored value. One round trip,
   * one item, no condition on any other key. A key past its TTL reads as absent.
   */
  putIfAbsent(
    key: string,
    value: unknown,
    options?: { ttlMs?: number },
  ): Promise<PutIfAbsentResult>;
  /**
   * Sets slot `slot` of the slot record at `key` to `value` unless that slot is set, creating
   * the record with `size` slots if absent, and returns the record's fill state (with every
   * slot value once the record is full). A sealed record refuses the fill (`{ sealed: true }`).
   * One round trip on one item.
   */
  fillSlot(key: string, slot: number, size: number, value: unknown): Promise<SlotFillResult>;
  /**
   * All slot values of a slot record in slot order (`undefined` for unfilled slots); an empty
   * array when the record does not exist or was sealed.
   */
  readSlots(key: string): Promise<(unknown | undefined)[]>;
  /**
   * Closes everything under `prefix`: every value whose key starts with it is replaced by
   * `tombstone`, and every slot record under it is sealed (its slots dropped, later fills
   * refused), all expiring after `ttlMs`. Items stay in place, so a late put-if-absent of the
   * same key still loses, to the tombstone, by its own single-item condition.
   */
  seal(prefix: string, tombstone: unknown, options: { ttlMs: number }): Promise<void>;
  /** Deletes these exact keys (values or slot records); absent keys are ignored. */
  delete(keys: readonly string[]): Promise<void>;
}

/** Content-addressed blobs on one cloud: the key is the SHA-256 of the bytes. */
export interface BlobStore {
  put(bytes: Uint8Array): Promise<string>;
  get(key: string): Promise<Uint8Array>;
}

export class InvokeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Asynchronous invoke through the target cloud's API; rejects with `InvokeError` when the cloud refuses or is unreachable. */
export interface Invoker {
  invokeAsync(cloud: string, invocation: Invocation): Promise<void>;
}

/** Buffers events; `flush` delivers what is buffered at least once (retrying) or rejects. */
export interface TraceSink {
  emit(event: TraceEvent): void;
  flush(): Promise<void>;
}

/** Everything the runtime gets from its host, per cloud where keys have a home. */
export interface RuntimePorts {
  /** The cloud this copy of the function runs on. */
  cloud: string;
  store(cloud: string): KeyValueStore;
  blobs(cloud: string): BlobStore;
  invoker: Invoker;
  trace: TraceSink;
  now(): number;
  /**
   * Fault injection by the host (local clouds only): called at each named point of the protocol;
   * a host that injects a crash there kills the process for real. Absent in production.
   */
  faultPoint?(point: FaultPoint, instance: string): void;
}

export type FaultPoint = 'before-commit' | 'after-commit' | 'before-invoke';

/** What the host says about the current delivery. */
export interface DeliveryInfo {
  /** The platform's attempt number for this delivery, 1 on the first. */
  attempt: number;
  /** True when the platform knows this is a redelivery (async retry, queue redrive). */
  platformRetry: boolean;
  /**
   * Why the previous delivery of this invocation ended without an answer, when the platform
   * knows: its sandbox crashed (`process.exit`, a fatal error), ran past its timeout, or ran out
   * of memory. Each such delivery is an attempt of the step: once they pass the step's retry
   * policy the runtime commits this failure instead of running the code again.
   */
  previousFailure?: PlatformFailure;
}

export interface PlatformFailure {
  code: 'FUNCTION_CRASHED' | 'FUNCTION_TIMEOUT' | 'FUNCTION_OUT_OF_MEMORY';
  message: string;
}
