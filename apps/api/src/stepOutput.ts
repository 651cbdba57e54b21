import { parseInstanceKey } from '@jointflow/ir';
import { isTombstone, keys, stepRecordSchema } from '@jointflow/runtime';
import type { ApiContext } from './apiContext';
import { ApiError } from './apiError';
import type { DeploymentRecord } from './store/repository';

/** A committed output as JSON text: the blob's own bytes, or the inline value serialized. */
export interface StepOutputBody {
  json: Uint8Array | string;
  bytes: number;
  /** Where it was read from: inline in the checkpoint, or a blob on a cloud. */
  source: { inline: true } | { blob: string; cloud: string };
}

const encoder = new TextEncoder();

/**
 * Reads the full committed output of one instance from its checkpoint in the function's home
 * store, fetching the blob when the output was stored as one (trace events carry only a
 * preview or the blob pointer). A blob's bytes are the output's JSON text and are returned as
 * they are, never parsed, however large.
 */
export async function readStepOutput(
  ctx: ApiContext,
  deployment: DeploymentRecord,
  execution: string,
  closedAt: number | null,
  instance: string,
): Promise<StepOutputBody> {
  let node: string;
  try {
    node = parseInstanceKey(instance).node;
  } catch (error) {
    throw new ApiError(
      'API_VALIDATION',
      `invalid query: instance: ${error instanceof Error ? error.message : String(error)}; pass an instance key as the run's events name it (e.g. score/map:resize=2)`,
    );
  }
  const fn = deployment.ir.functions[node];
  if (fn === undefined) {
    throw new ApiError('API_NOT_FOUND', `step "${node}" is not in this execution's workflow`);
  }
  const gone = () =>
    new ApiError(
      'API_OUTPUT_GONE',
      `execution ${execution} was closed and its step outputs deleted; outputs stay readable until an execution is closed (10 minutes after it succeeded)`,
    );
  if (closedAt !== null) throw gone();
  const shim = ctx.clouds.get(fn.homeStore);
  if (shim === undefined) {
    throw new ApiError('API_CLOUD_UNAVAILABLE', `cloud "${fn.homeStore}" is not one this API runs`);
  }
  const key = keys.checkpoint(execution, instance);
  let raw: unknown;
  try {
    raw = await shim.store().get(key);
  } catch (error) {
    throw new ApiError(
      'API_CLOUD_UNAVAILABLE',
      `could not read the checkpoint of "${instance}" on ${fn.homeStore} (${error instanceof Error ? error.message : String(error)}); check the cloud's health and try again`,
    );
  }
  if (raw === undefined) {
    throw new ApiError(
      'API_NOT_FOUND',
      `instance "${instance}" of execution ${execution} has not committed an output (yet); follow the run's events and ask again once it succeeded`,
    );
  }
  if (isTombstone(raw)) throw gone();
  const record = stepRecordSchema.safeParse(raw);
  if (!record.success) {
    throw new Error(`the checkpoint at ${key} is not a step record`);
  }
  if (record.data.status !== 'succeeded') {
    throw new ApiError(
      'API_CONFLICT',
      `instance "${instance}" failed (${record.data.error.message}); it has no output`,
    );
  }
  const output = record.data.output;
  if ('inline' in output) {
    const json = JSON.stringify(output.inline === undefined ? null : output.inline);
    return { json, bytes: encoder.encode(json).length, source: { inline: true } };
  }
  const blobs = ctx.clouds.get(output.cloud);
  if (blobs === undefined) {
    throw new ApiError(
      'API_CLOUD_UNAVAILABLE',
      `the output is a blob on cloud "${output.cloud}", which this API does not run`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await blobs.blobs().get(output.blob);
  } catch (error) {
    throw new ApiError(
      'API_CLOUD_UNAVAILABLE',
      `could not read blob ${output.blob} on ${output.cloud} (${error instanceof Error ? error.message : String(error)}); check the cloud's health and try again`,
    );
  }
  return { json: bytes, bytes: bytes.length, source: { blob: output.blob, cloud: output.cloud } };
}
