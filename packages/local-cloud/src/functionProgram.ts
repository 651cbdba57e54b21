import type { FunctionContext, FunctionIR } from '@jointflow/ir';
import type { DeliveryInfo, Invocation, RuntimePorts } from '@jointflow/runtime';

/** What a worker runs per invocation: the runtime wrapped around the user's handler. */
export type InvocationRunner = (
  invocation: Invocation,
  ports: RuntimePorts,
  delivery: DeliveryInfo,
) => Promise<unknown>;

/**
 * Builds the runner for one deployed function. Until the runtime's `createFunction` lands this
 * calls the handler directly on an inline input (no checkpoints): enough for the emulator's own
 * tests of invoke, queue, workers and faults.
 */
export function createInvocationRunner(
  _fn: FunctionIR,
  _context: FunctionContext,
  userModule: Record<string, unknown>,
): InvocationRunner {
  const handler = userModule.handler;
  return async (invocation, ports) => {
    if (typeof handler !== 'function') {
      throw new Error('FUNCTION_NO_HANDLER: the code must export `handler(input, ctx)`');
    }
    const input = 'inline' in invocation.input ? invocation.input.inline : undefined;
    ports.faultPoint?.('before-commit', invocation.fn);
    const output: unknown = await handler(input, {});
    ports.faultPoint?.('after-commit', invocation.fn);
    return output;
  };
}
