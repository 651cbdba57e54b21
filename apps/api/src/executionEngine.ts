import type { WorkflowIR } from '@jointflow/ir';
import type { CloudShim } from '@jointflow/shims';

/**
 * How the API starts, redrives and reads executions. The real one (`runtimeEngine.ts`) goes
 * through packages/runtime over the clouds' shims; tests of the API alone may pass another.
 */
export interface ExecutionEngine {
  start(run: EngineRun): Promise<void>;
  /** Reruns from the steps that did not commit; committed steps keep their checkpoints. */
  redrive(run: EngineRun): Promise<void>;
  /** The committed result, if the execution has one. */
  readResult(run: Omit<EngineRun, 'input'>): Promise<EngineResult | undefined>;
  /**
   * Deletes a finished execution's checkpoints, join records and payloads from every store it
   * touched, leaving the closed marker that turns late duplicates away.
   */
  close(run: Omit<EngineRun, 'input'>): Promise<void>;
}

export interface EngineRun {
  execution: string;
  deployment: string;
  ir: WorkflowIR;
  input: unknown;
  clouds: ReadonlyMap<string, CloudShim>;
}

export type EngineResult =
  | { status: 'succeeded'; result: unknown }
  | { status: 'failed'; error: { message: string } };
