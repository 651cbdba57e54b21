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
  /**
   * Cancels a running execution (the closed marker with status `cancelled`, then its items
   * sealed): no step starts another, running ones end at their next commit. Answers the
   * outcome: `cancelled`, or the result's status when the execution had already completed.
   */
  cancel(run: Omit<EngineRun, 'input'>): Promise<'cancelled' | 'succeeded' | 'failed'>;
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
  | { status: 'failed'; error: { message: string } }
  | { status: 'cancelled' };
