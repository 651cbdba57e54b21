import type { CloudMeasurements, CloudProfile, FunctionContext, FunctionIR } from '@jointflow/ir';
import type { BlobStore, Invocation, KeyValueStore } from '@jointflow/runtime';
import type { CloudProvider } from './cloudConfig';
import type { MeteringRow } from './localWire';

/**
 * A Backend-Shim: one cloud, seen from outside its functions (the API and the CLI).
 *
 * What every cloud has:
 * - the data plane: the runtime's ports (async invoke, the key-value store, blobs), which the
 *   API also uses to start executions and read results and checkpoints through the same code;
 * - the control plane: deploy (package + create or update + wait until ready), remove, describe;
 * - health, and the price table and limits (`profile`).
 *
 * What only some clouds have is a declared capability, asked for by name (`shim.local`), never
 * found by probing: today only the local cloud's emulator control (fault injection, pending
 * invocations, metering).
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
  | { state: 'deploying'; detail?: string }
  | { state: 'ready'; codeHash: string }
  | { state: 'failed'; reason: string; code?: string };

/**
 * A step of one function's deployment as the provider names it (e.g. Lambda's `Pending` →
 * `Active`), for per-function progress in the deploy dialog and the CLI.
 */
export interface DeployProgress {
  fn: string;
  cloud: string;
  /** Jointflow's state. */
  state: FunctionState['state'];
  /** The provider's own word for it: `Pending`, `Active`, `InProgress`, `built`… */
  providerState?: string;
  detail?: string;
}

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

/**
 * The local cloud emulator's own controls: what no real cloud offers. The API and CLI ask for
 * it by name (`shim.local`) and offer fault injection, the watchdog's pending-invocation count
 * and metering only where it is present.
 */
export interface LocalEmulatorControl {
  injectFaults(spec: FaultSpec): Promise<void>;
  /** Invocations of `execution` this cloud accepted and has not finished (queued or running). */
  pendingInvocations(execution: string): Promise<number>;
  /** Billed invocations since the cloud started. */
  metering(): Promise<MeteringRow[]>;
  /** What the cloud measured of itself on this host, for the planner (undefined: nothing yet). */
  measured(): Promise<CloudMeasurements | undefined>;
}

export interface CloudShim {
  /** The cloud's id, as graphs and the IR name it. */
  readonly id: string;
  readonly provider: CloudProvider;
  /** The provider's region (`us-east-1`, `cn-hangzhou`), `local` for the emulator. */
  readonly region: string;
  /** Price table and limits (and, for emulated clouds, the modelled behaviour). */
  readonly profile: CloudProfile;

  /** Packages, creates or updates the function, and resolves once it is ready to invoke. */
  deploy(spec: FunctionDeployment, onProgress?: (progress: DeployProgress) => void): Promise<void>;
  remove(deployment: string, fn: string): Promise<void>;
  describe(deployment: string, fn: string): Promise<FunctionState>;

  /** Starts an invocation asynchronously (Lambda `Event`, FC `Async`). */
  invokeAsync(invocation: Invocation): Promise<void>;
  /** The cloud's key-value store and blobs, for reading results and checkpoints. */
  store(): KeyValueStore;
  blobs(): BlobStore;
  health(): Promise<CloudHealth>;

  /** Present on local clouds only: the emulator's controls. */
  readonly local?: LocalEmulatorControl;
}

/** The deployed name of a function: unique per deployment, valid as a Lambda/FC name. */
export function deployedFunctionName(deployment: string, fn: string): string {
  return `${deployment}--${fn}`;
}
