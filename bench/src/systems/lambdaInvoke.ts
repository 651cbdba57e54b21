import { postJson } from '../httpJson';

/**
 * One call of a local cloud's Lambda Invoke API. Kept apart from lambdaFunctions.ts so the
 * centralized coordinator's process loads only this (its memory is part of the measured stack).
 */
export interface LambdaInvokeResult {
  status: number;
  body: unknown;
  /** Lambda's `X-Amz-Function-Error` (the handler threw), if any. */
  functionError?: string;
}

/**
 * Invokes `name` on the cloud at `cloudUrl` (`RequestResponse` answers the handler's result,
 * `Event` 202 once queued). `headers` carry the caller's cloud (`x-jointflow-from`), so the cloud
 * adds its profile's one-way latency when the caller sits on another cloud.
 */
export async function invokeLambda(
  cloudUrl: string,
  name: string,
  payload: unknown,
  type: 'RequestResponse' | 'Event',
  headers: Record<string, string>,
): Promise<LambdaInvokeResult> {
  const response = await postJson(
    `${cloudUrl}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`,
    payload,
    { 'x-amz-invocation-type': type, ...headers },
  );
  const error = response.headers['x-amz-function-error'];
  return {
    status: response.status,
    body: response.body,
    ...(typeof error === 'string' ? { functionError: error } : {}),
  };
}
