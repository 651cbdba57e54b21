import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { type Invocation, InvokeError } from '@jointflow/runtime';
import { deployedFunctionName } from '../cloudShim';
import { awsErrorOf } from './awsErrors';

/**
 * Lambda's asynchronous invoke (`InvocationType: Event`) of the deployed function an invocation
 * names. Resolves once Lambda queued it (202). Any refusal (unknown function, throttling after
 * the SDK's retries, access denied, an unreachable endpoint) rejects with the runtime's
 * `InvokeError`, which the runtime answers by invoking the failover replica.
 *
 * @example
 * const invoke = createLambdaInvoker(lambdaClientOf(cloud));
 * await invoke(invocation);
 */
export function createLambdaInvoker(
  client: LambdaClient,
): (invocation: Invocation) => Promise<void> {
  const encoder = new TextEncoder();
  return async (invocation) => {
    const name = deployedFunctionName(invocation.deployment, invocation.fn);
    let status: number | undefined;
    let functionError: string | undefined;
    try {
      const res = await client.send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: 'Event',
          Payload: encoder.encode(JSON.stringify(invocation)),
        }),
      );
      status = res.StatusCode;
      functionError = res.FunctionError;
    } catch (error) {
      const shimError = awsErrorOf(error, `Lambda Invoke (Event) of ${name}`);
      throw new InvokeError(shimError.code, shimError.message);
    }
    if (status !== 202 || functionError !== undefined) {
      throw new InvokeError(
        'AWS_INVOKE_REFUSED',
        `AWS_INVOKE_REFUSED: Lambda answered ${status ?? 'no status'}${functionError ? ` (${functionError})` : ''} to the Event invoke of ${name}; expected 202`,
      );
    }
  };
}
