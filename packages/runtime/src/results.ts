import { keys } from './keys';
import type { PutIfAbsentResult } from './ports';
import {
  type ResultRecord,
  resultRecordSchema,
  type StepRecord,
  type SucceededRecord,
} from './records';
import type { StepEnv } from './stepEnv';
import { previewRef } from './traceEvents';

/**
 * The execution result: the terminal step's success, or a failure that exhausted its retries,
 * committed with put-if-absent in the result store. Whoever stored it (now or in an earlier copy
 * of the same instance) emits the execution's event.
 */

export async function commitSucceededResult(env: StepEnv, record: SucceededRecord): Promise<void> {
  const result: ResultRecord = {
    status: 'succeeded',
    output: record.output,
    instance: env.instance,
    at: env.ports.now(),
  };
  const put = await env.ports
    .store(env.context.resultStore)
    .putIfAbsent(keys.result(env.execution), result);
  if (resultIsOurs(env, put, 'succeeded')) {
    env.trace.emit(
      'execution.succeeded',
      record.attempt,
      { output: previewRef(record.output) },
      record.attempt,
    );
  }
}

export async function commitFailedResult(
  env: StepEnv,
  record: Extract<StepRecord, { status: 'failed' }>,
): Promise<void> {
  const { fn } = env;
  const result: ResultRecord = {
    status: 'failed',
    error: record.error,
    instance: env.instance,
    fn: fn.name,
    scope: env.invocation.scope,
    input: record.input,
    homeStore: fn.homeStore,
    clouds: [fn.cloud, ...fn.failover],
    at: env.ports.now(),
  };
  const put = await env.ports
    .store(env.context.resultStore)
    .putIfAbsent(keys.result(env.execution), result);
  if (resultIsOurs(env, put, 'failed')) {
    env.trace.emit('execution.failed', record.attempt, { error: record.error }, record.attempt);
  }
}

/** True when the stored result is the one this instance committed (now or by an earlier copy). */
function resultIsOurs(
  env: StepEnv,
  put: PutIfAbsentResult,
  status: 'succeeded' | 'failed',
): boolean {
  if (put.won) return true;
  const existing = resultRecordSchema.safeParse(put.existing);
  return (
    existing.success && existing.data.status === status && existing.data.instance === env.instance
  );
}
