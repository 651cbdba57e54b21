import type { ExecutionEngine } from './executionEngine';

/**
 * The execution engine over packages/runtime: start, redrive and result reads go through the
 * runtime's own functions and the clouds' shims, the same code path as `jointflow run`.
 */
export function createRuntimeEngine(): ExecutionEngine {
  const missing = async (): Promise<never> => {
    throw new Error('packages/runtime does not export startExecution yet');
  };
  return { start: missing, redrive: missing, readResult: missing };
}
