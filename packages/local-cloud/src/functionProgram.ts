import type { FunctionContext, FunctionIR } from '@jointflow/ir';
import {
  createFunction,
  type DeliveryInfo,
  type Invocation,
  type RuntimePorts,
  type UserHandler,
} from '@jointflow/runtime';

/** What a worker runs per invocation: the runtime wrapped around the user's handler. */
export type InvocationRunner = (invocation: Invocation, delivery: DeliveryInfo) => Promise<unknown>;

/**
 * Builds the runner of one deployed function: the runtime's `createFunction` over the user's
 * `handler` export (absent for kinds that run no code) and the worker's real ports.
 */
export function createInvocationRunner(options: {
  fn: FunctionIR;
  context: FunctionContext;
  deployment: string;
  userModule: Record<string, unknown>;
  ports: RuntimePorts;
}): InvocationRunner {
  const exported = options.userModule.handler;
  const handler = typeof exported === 'function' ? (exported as UserHandler) : undefined;
  return createFunction({
    context: options.context,
    fn: options.fn,
    deployment: options.deployment,
    ports: options.ports,
    ...(handler ? { handler } : {}),
  });
}
