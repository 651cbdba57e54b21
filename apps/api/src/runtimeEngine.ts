import {
  cancelExecution,
  closeExecution,
  executionStores,
  InvokeError,
  type RuntimePorts,
  readExecutionResult,
  redriveExecution,
  startExecution,
} from '@jointflow/runtime';
import type { CloudShim } from '@jointflow/shims';
import type { EngineResult, ExecutionEngine } from './executionEngine';

function shimOf(clouds: ReadonlyMap<string, CloudShim>, cloud: string): CloudShim {
  const shim = clouds.get(cloud);
  if (shim === undefined) {
    throw new InvokeError('API_UNKNOWN_CLOUD', `cloud "${cloud}" is not one this API runs`);
  }
  return shim;
}

/**
 * The runtime's ports seen from outside every cloud, through the shims. Any failed invoke becomes
 * an `InvokeError` so the runtime fails over to the next replica.
 */
export function shimPorts(
  clouds: ReadonlyMap<string, CloudShim>,
): Pick<RuntimePorts, 'store' | 'blobs' | 'invoker' | 'now'> {
  return {
    store: (cloud) => shimOf(clouds, cloud).store(),
    blobs: (cloud) => shimOf(clouds, cloud).blobs(),
    invoker: {
      async invokeAsync(cloud, invocation) {
        try {
          await shimOf(clouds, cloud).invokeAsync(invocation);
        } catch (error) {
          if (error instanceof InvokeError) throw error;
          const code = (error as { code?: unknown }).code;
          throw new InvokeError(
            typeof code === 'string' ? code : 'API_INVOKE_FAILED',
            error instanceof Error ? error.message : String(error),
          );
        }
      },
    },
    now: () => Date.now(),
  };
}

/**
 * The execution engine over packages/runtime: start, redrive and result reads are the runtime's
 * own functions over the clouds' shims, the same code path as `jointflow run`.
 */
export function createRuntimeEngine(): ExecutionEngine {
  return {
    async start(run) {
      await startExecution(shimPorts(run.clouds), {
        ir: run.ir,
        deployment: run.deployment,
        execution: run.execution,
        input: run.input,
      });
    },
    async redrive(run) {
      await redriveExecution(shimPorts(run.clouds), {
        execution: run.execution,
        resultStore: run.ir.resultStore,
      });
    },
    async close(run) {
      await closeExecution(shimPorts(run.clouds), {
        execution: run.execution,
        resultStore: run.ir.resultStore,
        stores: executionStores(run.ir),
      });
    },
    async cancel(run) {
      const { outcome } = await cancelExecution(shimPorts(run.clouds), {
        execution: run.execution,
        resultStore: run.ir.resultStore,
        stores: executionStores(run.ir),
      });
      return outcome;
    },
    async readResult(run): Promise<EngineResult | undefined> {
      const ports = shimPorts(run.clouds);
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
