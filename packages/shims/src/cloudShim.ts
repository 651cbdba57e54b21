import type { CloudProfile, FunctionContext, FunctionIR } from '@jointflow/ir';
import type { BlobStore, Invocation, KeyValueStore } from '@jointflow/runtime';

/**
 * A Backend-Shim: one cloud, seen from outside its functions (the API and the CLI). The data
 * plane the runtime uses inside a function is the runtime's ports; a shim also hands out those
 * ports so the API can read results and checkpoints through the same code.
 */

/** Everything a cloud needs to deploy one function of one deployment. */
export interface FunctionDeployment {
  deployment: string;
  context: FunctionContext;
  fn: FunctionIR;
  /**
   * Environment of the deployed function, e.g. where trace events go and the per-deployment
   * ingest secret. Never logged, never returned by `describe`.
   */
  env: Record<string, string>;
}

export type FunctionState =
  | { state: 'absent' }
  | { state: 'deploying' }
  | { state: 'ready'; codeHash: string }
  | { state: 'failed'; reason: string };

export interface CloudHealth {
  ok: boolean;
  /** Round trip of the health call in ms. */
  latencyMs: number;
  /** Present while an injected outage is active (local clouds). */
  outageUntil?: number;
  detail?: string;
}

/**
 * Local-cloud fault injection, seeded and reproducible. Probabilities are per invocation.
 * `outage` takes the whole cloud down for a window (invokes and store calls are refused).
 */
export interface FaultSpec {
  seed?: number;
  crashBeforeCommit?: number;
  crashAfterCommit?: number;
  duplicate?: number;
  drop?: number;
  /** Extra random delay before running an invocation, to reorder deliveries, ms. */
  reorderMs?: number;
  outage?: { startInMs: number; durationMs: number };
}

export interface CloudShim {
  readonly profile: CloudProfile;
  deploy(spec: FunctionDeployment): Promise<void>;
  remove(deployment: string, fn: string): Promise<void>;
  describe(deployment: string, fn: string): Promise<FunctionState>;
  /** Starts an invocation asynchronously (the Lambda `Event` invocation type). */
  invokeAsync(invocation: Invocation): Promise<void>;
  health(): Promise<CloudHealth>;
  /** The cloud's key-value store and blobs, for reading results and checkpoints. */
  store(): KeyValueStore;
  blobs(): BlobStore;
  /** Local clouds only; other shims reject with code SHIM_UNSUPPORTED. */
  injectFaults(spec: FaultSpec): Promise<void>;
}

/** The deployed name of a function: unique per deployment, valid as a Lambda/FC name. */
export function deployedFunctionName(deployment: string, fn: string): string {
  return `${deployment}--${fn}`;
}
