import { z } from 'zod';
import { serialize } from './dataRef';
import { keys } from './keys';
import type { PutIfAbsentResult } from './ports';
import { isTombstone, parseStored } from './records';
import type { StepEnv } from './stepEnv';

/**
 * `ctx.once(key, fn)`: `get` the memo `<execution>/<instance>#once:<key>`; absent → run
 * `fn(idempotencyKey)`, `putIfAbsent` the memo and adopt a concurrent winner's value. The effect
 * runs at most once per successful memo; two concurrent copies can both call `fn` with the same
 * idempotency key, so exactly-once needs an outside system that honours the key.
 */

const onceMemoSchema = z.object({ value: z.unknown() });

/** A port failed while user code ran (inside `ctx.once`): an infrastructure error, not a step failure. */
export class PortFailure extends Error {
  constructor(readonly failure: unknown) {
    super('port failure inside user code');
  }
}

/** The execution was closed under us: exit without effect. */
export class ExecutionClosed extends Error {
  constructor() {
    super('execution closed');
  }
}

/**
 * Runs one `ctx.once` call and returns the memoised value. `used` collects the keys this copy
 * called, so the commit records them and adopters re-emit their events.
 */
export async function runOnce<T>(
  env: StepEnv,
  used: Set<string>,
  key: string,
  effect: (idempotencyKey: string) => T | Promise<T>,
): Promise<T> {
  const memoKey = keys.once(env.execution, env.instance, key);
  let existing: unknown;
  try {
    existing = await env.home.get(memoKey);
  } catch (error) {
    throw new PortFailure(error);
  }
  if (isTombstone(existing)) throw new ExecutionClosed();
  if (existing !== undefined) {
    const memo = parseStored(onceMemoSchema, existing, memoKey).value;
    used.add(key);
    env.trace.once(key, env.delivery.attempt, memo);
    return memo as T;
  }
  const value = await effect(keys.idempotency(env.execution, env.instance, key));
  const stored = JSON.parse(serialize(value).text) as unknown;
  let result: PutIfAbsentResult;
  try {
    result = await env.home.putIfAbsent(memoKey, { value: stored });
  } catch (error) {
    throw new PortFailure(error);
  }
  if (!result.won && isTombstone(result.existing)) throw new ExecutionClosed();
  const memo = result.won ? stored : parseStored(onceMemoSchema, result.existing, memoKey).value;
  used.add(key);
  env.trace.once(key, env.delivery.attempt, memo);
  return memo as T;
}
