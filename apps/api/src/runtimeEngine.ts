import { outsidePorts } from '@jointflow/local-cloud';
import {
  cancelExecution,
  closeExecution,
  executionStores,
  readExecutionResult,
  redriveExecution,
  startExecution,
} from '@jointflow/runtime';
import type { EngineResult, ExecutionEngine } from './executionEngine';

/**
 * The execution engine over packages/runtime: start, redrive and result reads are the runtime's
 * own functions over the clouds' shims, through local-cloud's `outsidePorts`: the same ports and
 * code path as `jointflow run`.
 */
export function createRuntimeEngine(): ExecutionEngine {
  return {
    async start(run) {
      await startExecution(outsidePorts(run.clouds.values()), {
        ir: run.ir,
        deployment: run.deployment,
        execution: run.execution,
        input: run.input,
      });
    },
    async redrive(run) {
      await redriveExecution(outsidePorts(run.clouds.values()), {
        execution: run.execution,
        resultStore: run.ir.resultStore,
      });
    },
    async close(run) {
      await closeExecution(outsidePorts(run.clouds.values()), {
        execution: run.execution,
        resultStore: run.ir.resultStore,
        stores: executionStores(run.ir),
      });
    },
    async cancel(run) {
      const { outcome } = await cancelExecution(outsidePorts(run.clouds.values()), {
        execution: run.execution,
        resultStore: run.ir.resultStore,
        stores: executionStores(run.ir),
      });
      return outcome;
    },
    async readResult(run): Promise<EngineResult | undefined> {
      const ports = outsidePorts(run.clouds.values());
      const result = await readExecutionResult(
        ports.store(run.ir.resultStore),
        run.execution,
        ports.blobs,
      );
      switch (result.status) {
        case 'running':
          return undefined;
        case 'succeeded':
          return { status: 'succeeded', result: result.output };
        case 'failed':
          return { status: 'failed', error: { message: result.error.message } };
        case 'closed':
          // Cleaned up after completion: only the final status is left, not the output.
          if (result.outcome === 'cancelled') return { status: 'cancelled' };
          return result.outcome === 'succeeded'
            ? { status: 'succeeded', result: null }
            : { status: 'failed', error: { message: 'the execution failed (closed since)' } };
      }
    },
  };
}
