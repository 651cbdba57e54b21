import { scopeKey } from '@jointflow/ir';

/**
 * The key layout. Everything an execution writes hangs off `<execution>/`, so cleanup is one
 * prefix delete per store; only the closed marker sits beside that prefix (`<execution>#closed`)
 * so it survives the cleanup it announces. Instance keys (`node/map:m=2/loop:l=4`) contain no
 * `#`, and node names cannot contain `:`, so a checkpoint, a once memo and a join record can
 * never collide with each other or with another instance's keys.
 *
 * Execution ids must not contain `/` or `#` (`startExecution` generates UUIDs).
 */
export const keys = {
  /** Everything the execution owns in a store, for `deletePrefixes`. */
  executionPrefix: (execution: string) => `${execution}/`,
  /** The committed record of one instance (its checkpoint), in the function's home store. */
  checkpoint: (execution: string, instance: string) => `${execution}/${instance}#ckpt`,
  /** The memo of one `ctx.once(key, fn)` call, in the function's home store. */
  once: (execution: string, instance: string, onceKey: string) =>
    `${execution}/${instance}#once:${onceKey}`,
  /** The idempotency key handed to a `ctx.once` side effect. */
  idempotency: (execution: string, instance: string, onceKey: string) =>
    `${execution}/${instance}/${onceKey}`,
  /** The slot record of a join instance, in the join's store. */
  join: (execution: string, join: string, scope: Parameters<typeof scopeKey>[0]) => {
    const prefix = scopeKey(scope);
    return prefix === '' ? `${execution}/join:${join}` : `${execution}/join:${join}/${prefix}`;
  },
  /**
   * The decision record of a trigger at its collection scope, in the trigger's store (a batch's
   * record adds `/batch:<b>`, a k-of-n win claim `#win:<j>`).
   */
  trigger: (execution: string, trigger: string, scope: Parameters<typeof scopeKey>[0]) => {
    const prefix = scopeKey(scope);
    return prefix === '' ? `${execution}/trg:${trigger}` : `${execution}/trg:${trigger}/${prefix}`;
  },
  /** The execution result, in the result store. */
  result: (execution: string) => `${execution}/#result`,
  /** The recorded start invocation, in the result store, for the watchdog's redrive. */
  start: (execution: string) => `${execution}/#start`,
  /** The closed marker: outside the execution prefix, in every store the execution touched. */
  closed: (execution: string) => `${execution}#closed`,
};

const EXECUTION_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** True when `execution` is safe as the root of the key layout. */
export function isValidExecutionId(execution: string): boolean {
  return EXECUTION_ID.test(execution);
}
