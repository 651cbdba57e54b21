import type { WorkflowIR } from '@jointflow/ir';

/**
 * What a suite needs from a system under test. Every system runs the same no-op step code
 * (`MARK_STEP_CODE`) and the same workflow code, so the differences measured are orchestration.
 */
export interface SystemUnderTest {
  /** Short name used in tables, e.g. `centralized (fsync)`. */
  label: string;
  /** How the system persists, stated in the results. */
  durability: string;
  /** The path its steps are invoked by, stated on every row of the results. */
  path: string;
  /** Runs a chain with one step per entry of `clouds`; resolves with each step's handler start time. */
  runChain(clouds: readonly string[]): Promise<number[]>;
  /** Runs a workflow deployed with `deploy`; absent for systems that only run chains (the floor). */
  workflows?: {
    deploy(ir: WorkflowIR): Promise<void>;
    run(workflow: string, input: unknown): Promise<WorkflowRun>;
  };
  /**
   * Every process of the stack right now (servers, workers, endpoints), for RSS sampling. With
   * `workflow`, systems that keep one worker per function (Jointflow) leave out the idle warm
   * workers of other workflows.
   */
  pids(workflow?: string): Promise<number[]>;
  /** Store operations since start, summed over every store, when the system can count them. */
  storeOps?(): Promise<StoreOpTotals>;
  close(): Promise<void>;
}

export interface WorkflowRun {
  output: unknown;
  makespanMs: number;
  /** Durable store writes the run made, when the system can tell. */
  storeWrites?: number;
  storeReads?: number;
  /** What a baseline ran, for the cost model (`costModel.ts`): steps and transitions. */
  tally?: StepTally;
}

export interface StepTally {
  steps: { cloud: string; memoryMb: number; durationMs: number }[];
  transitions: number;
}

export interface StoreOpTotals {
  reads: number;
  writes: number;
  conditionalWrites: number;
  slotFills: number;
}

/** Clouds and their one-way latency, as the baselines see them (from the cloud profiles). */
export interface CloudTopology {
  clouds: string[];
  /** One-way latency in ms from `from` to `to`. */
  latencyMs(from: string, to: string): number;
}
