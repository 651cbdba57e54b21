import { Readable } from 'node:stream';
import { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { RuntimeOptions } from '@alicloud/tea-util';
import { type Invocation, InvokeError } from '@jointflow/runtime';
import { deployedFunctionName } from '../cloudShim';
import type { FcClient } from './aliyunClients';
import { aliyunErrorOf, providerCodeOf, statusOf } from './aliyunErrors';

/**
 * Function Compute 3.0's asynchronous invoke (`InvokeFunction` with `x-fc-invocation-type:
 * Async`) of the deployed function an invocation names; the function receives the invocation's
 * JSON as a Buffer. Resolves once FC queued it (202). Any refusal (unknown function,
 * throttling, access denied, an unreachable endpoint) rejects with the runtime's `InvokeError`,
 * which the runtime answers by invoking the failover replica.
 *
 * The 2-argument `invokeFunction` of the SDK drops the headers (it would invoke synchronously),
 * so this calls `invokeFunctionWithOptions`; the SDK wants the body as a Readable stream.
 *
 * @example
 * const invoke = createFcInvoker(fcClientOf(cloud));
 * await invoke(invocation);
 */
export function createFcInvoker(client: FcClient): (invocation: Invocation) => Promise<void> {
  return async (invocation) => {
    const name = deployedFunctionName(invocation.deployment, invocation.fn);
    const body = Buffer.from(JSON.stringify(invocation));
    let status: number | undefined;
    try {
      const response = await client.invokeFunctionWithOptions(
        name,
        new InvokeFunctionRequest({ body: Readable.from([body]) }),
        new InvokeFunctionHeaders({ xFcInvocationType: 'Async' }),
        new RuntimeOptions({}),
      );
      status = response.statusCode;
      // Nothing to read from an async invoke, but drain the stream so the socket is reused.
      response.body?.resume();
    } catch (error) {
      if (providerCodeOf(error) === 'EntityTooLarge' || statusOf(error) === 413) {
        throw new InvokeError(
          'ALIYUN_PAYLOAD_TOO_LARGE',
          `ALIYUN_PAYLOAD_TOO_LARGE: the invocation of ${name} is ${body.byteLength} bytes, over Function Compute's async payload limit (128 KB); lower the inline limit of the edge into it (larger data then travels as a blob)`,
        );
      }
      const shimError = aliyunErrorOf(error, `FC InvokeFunction (Async) of ${name}`);
      throw new InvokeError(shimError.code, shimError.message);
    }
    if (status !== 202) {
      throw new InvokeError(
        'ALIYUN_INVOKE_REFUSED',
        `ALIYUN_INVOKE_REFUSED: Function Compute answered ${status ?? 'no status'} to the Async invoke of ${name}; expected 202`,
      );
    }
  };
}
