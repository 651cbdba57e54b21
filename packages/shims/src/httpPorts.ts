import type {
  BlobStore,
  Invocation,
  Invoker,
  KeyValueStore,
  PutIfAbsentResult,
  SlotFillResult,
} from '@jointflow/runtime';
import { InvokeError } from '@jointflow/runtime';
import { deployedFunctionName } from './cloudShim';
import { FROM_CLOUD_HEADER, httpErrorOf, httpRequest, jsonCall, ShimError } from './httpTransport';
import {
  blobPutResponse,
  fillSlotResponse,
  getManyResponse,
  localRoutes,
  type MaybeValue,
  maybeValue,
  putIfAbsentResponse,
  readSlotsResponse,
} from './localWire';

/**
 * The runtime's ports over a local cloud's HTTP API. A worker builds one store and one blob
 * client per cloud it touches, and one invoker for all; each call is one round trip.
 */

function unwrap(v: MaybeValue): unknown | undefined {
  return v.found ? v.value : undefined;
}

function fromHeaders(fromCloud: string | undefined): Record<string, string> {
  return fromCloud === undefined ? {} : { [FROM_CLOUD_HEADER]: fromCloud };
}

/**
 * A strongly consistent key-value store on the local cloud at `url`. `fromCloud` names the
 * caller's cloud so the store adds the latency between the two (absent: no latency, e.g. the CLI).
 *
 * @example
 * const store = createHttpStore('http://127.0.0.1:4100', 'aws-local');
 * await store.putIfAbsent('e1/step', { out: 1 }); // { won: true }
 */
export function createHttpStore(url: string, fromCloud?: string): KeyValueStore {
  const headers = fromHeaders(fromCloud);
  const post = (path: string, body: unknown) => jsonCall('POST', `${url}${path}`, body, headers);
  return {
    async get(key) {
      return unwrap(maybeValue.parse(await post(localRoutes.storeGet, { key })));
    },
    async getMany(keys) {
      if (keys.length === 0) return [];
      const res = getManyResponse.parse(await post(localRoutes.storeGetMany, { keys }));
      return res.values.map(unwrap);
    },
    async putIfAbsent(
      key: string,
      value: unknown,
      options?: { ttlMs?: number; unlessExists?: string },
    ): Promise<PutIfAbsentResult> {
      const res = putIfAbsentResponse.parse(
        await post(localRoutes.storePutIfAbsent, { key, value, ...options }),
      );
      if (res.won) return { won: true };
      if ('closed' in res) return { won: false, closed: true };
      return { won: false, existing: res.existing };
    },
    async fillSlot(key, slot, size, value): Promise<SlotFillResult> {
      return fillSlotResponse.parse(
        await post(localRoutes.storeFillSlot, { key, slot, size, value }),
      );
    },
    async readSlots(key) {
      const res = readSlotsResponse.parse(await post(localRoutes.storeReadSlots, { key }));
      return res.slots.map(unwrap);
    },
    async deletePrefixes(prefixes) {
      if (prefixes.length === 0) return;
      await post(localRoutes.storeDeletePrefixes, { prefixes });
    },
  };
}

/** Content-addressed blobs on the local cloud at `url` (the key is the SHA-256 of the bytes). */
export function createHttpBlobs(url: string, fromCloud?: string): BlobStore {
  const headers = fromHeaders(fromCloud);
  return {
    async put(bytes) {
      const res = await httpRequest({
        method: 'PUT',
        url: `${url}${localRoutes.blobs}`,
        headers: { ...headers, 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      if (res.status !== 200) throw httpErrorOf(res, url);
      return blobPutResponse.parse(JSON.parse(res.body.toString('utf8'))).key;
    },
    async get(key) {
      const res = await httpRequest({
        method: 'GET',
        url: `${url}${localRoutes.blob(key)}`,
        headers,
      });
      if (res.status !== 200) throw httpErrorOf(res, url);
      return new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
    },
  };
}

/**
 * Sends one Lambda `Event` invoke to the local cloud at `url`: resolves once the cloud queued it
 * (202). Any refusal or network failure rejects with `InvokeError`, which the runtime answers by
 * failing over to a replica.
 */
export async function invokeEventAt(
  url: string,
  invocation: Invocation,
  fromCloud?: string,
): Promise<void> {
  const name = deployedFunctionName(invocation.deployment, invocation.fn);
  let res: Awaited<ReturnType<typeof httpRequest>>;
  try {
    res = await httpRequest({
      method: 'POST',
      url: `${url}${localRoutes.invoke(name)}`,
      headers: {
        ...fromHeaders(fromCloud),
        'content-type': 'application/json',
        'x-amz-invocation-type': 'Event',
      },
      body: JSON.stringify(invocation),
    });
  } catch (error) {
    throw new InvokeError(
      'INVOKE_UNREACHABLE',
      error instanceof Error ? error.message : String(error),
    );
  }
  if (res.status !== 202) {
    const error = httpErrorOf(res, url);
    throw new InvokeError(error.code, error.message);
  }
}

/**
 * The runtime's invoker: routes each invoke to the cloud named in the call through `peers`
 * (cloud id → base URL). An unknown cloud rejects with `InvokeError('INVOKE_UNKNOWN_CLOUD')`.
 */
export function createHttpInvoker(peers: Record<string, string>, fromCloud?: string): Invoker {
  return {
    async invokeAsync(cloud, invocation) {
      const url = peers[cloud];
      if (url === undefined) {
        throw new InvokeError(
          'INVOKE_UNKNOWN_CLOUD',
          `no local cloud "${cloud}" is running; known: ${Object.keys(peers).join(', ')}`,
        );
      }
      await invokeEventAt(url, invocation, fromCloud);
    },
  };
}

export { ShimError };
