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
import {
  type CloudTransport,
  FROM_CLOUD_HEADER,
  httpErrorOf,
  httpTransport,
  ShimError,
} from './httpTransport';
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
 * The runtime's ports over a local cloud's API. A worker builds one store and one blob client per
 * cloud it touches, and one invoker for all; each call is one round trip over a `CloudTransport`:
 * loopback HTTP (a base URL), or the worker's IPC channel when the cloud is its own.
 */

/** A cloud's base URL (HTTP) or a transport to it. */
export type CloudEndpoint = string | CloudTransport;

function transportOf(endpoint: CloudEndpoint): CloudTransport {
  return typeof endpoint === 'string' ? httpTransport(endpoint) : endpoint;
}

async function jsonOver(
  transport: CloudTransport,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<unknown> {
  const res = await transport.send({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (res.status < 200 || res.status >= 300) throw httpErrorOf(res, transport.label);
  if (res.body.length === 0) return undefined;
  return JSON.parse(res.body.toString('utf8'));
}

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
export function createHttpStore(endpoint: CloudEndpoint, fromCloud?: string): KeyValueStore {
  const headers = fromHeaders(fromCloud);
  const transport = transportOf(endpoint);
  const post = (path: string, body: unknown) => jsonOver(transport, path, body, headers);
  return {
    async get(key) {
      return unwrap(maybeValue.parse(await post(localRoutes.storeGet, { key })));
    },
    async getMany(keys) {
      if (keys.length === 0) return [];
      const res = getManyResponse.parse(await post(localRoutes.storeGetMany, { keys }));
      return res.values.map(unwrap);
    },
    async putIfAbsent(key, value, options): Promise<PutIfAbsentResult> {
      const res = putIfAbsentResponse.parse(
        await post(localRoutes.storePutIfAbsent, { key, value, ...options }),
      );
      return res.won ? { won: true } : { won: false, existing: res.existing };
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
    async seal(prefix, tombstone, { ttlMs }) {
      await post(localRoutes.storeSeal, { prefix, tombstone, ttlMs });
    },
    async delete(keys) {
      if (keys.length === 0) return;
      await post(localRoutes.storeDelete, { keys });
    },
  };
}

/** Content-addressed blobs on the local cloud at `endpoint` (the key is the bytes' SHA-256). */
export function createHttpBlobs(endpoint: CloudEndpoint, fromCloud?: string): BlobStore {
  const headers = fromHeaders(fromCloud);
  const transport = transportOf(endpoint);
  return {
    async put(bytes) {
      const res = await transport.send({
        method: 'PUT',
        path: localRoutes.blobs,
        headers: { ...headers, 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      if (res.status !== 200) throw httpErrorOf(res, transport.label);
      return blobPutResponse.parse(JSON.parse(res.body.toString('utf8'))).key;
    },
    async get(key) {
      const res = await transport.send({ method: 'GET', path: localRoutes.blob(key), headers });
      if (res.status !== 200) throw httpErrorOf(res, transport.label);
      return new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
    },
  };
}

/**
 * Sends one Lambda `Event` invoke to the local cloud at `endpoint`: resolves once the cloud queued
 * it (202). Any refusal or network failure rejects with `InvokeError`, which the runtime answers
 * by failing over to a replica.
 */
export async function invokeEventAt(
  endpoint: CloudEndpoint,
  invocation: Invocation,
  fromCloud?: string,
): Promise<void> {
  const name = deployedFunctionName(invocation.deployment, invocation.fn);
  const transport = transportOf(endpoint);
  let res: Awaited<ReturnType<CloudTransport['send']>>;
  try {
    res = await transport.send({
      method: 'POST',
      path: localRoutes.invoke(name),
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
    const error = httpErrorOf(res, transport.label);
    throw new InvokeError(error.code, error.message);
  }
}

/**
 * The runtime's invoker: routes each invoke to the cloud named in the call through `peers`
 * (cloud id → base URL or transport). An unknown cloud rejects with
 * `InvokeError('INVOKE_UNKNOWN_CLOUD')`.
 */
export function createHttpInvoker(
  peers: Record<string, CloudEndpoint>,
  fromCloud?: string,
): Invoker {
  // By endpoint, not cloud id: `peers` may be live (a worker's peers change when a cloud
  // restarts elsewhere), and a new endpoint gets a new transport.
  const transports = new Map<CloudEndpoint, CloudTransport>();
  return {
    async invokeAsync(cloud, invocation) {
      const endpoint = peers[cloud];
      if (endpoint === undefined) {
        throw new InvokeError(
          'INVOKE_UNKNOWN_CLOUD',
          `no local cloud "${cloud}" is running; known: ${Object.keys(peers).join(', ')}`,
        );
      }
      let transport = transports.get(endpoint);
      if (transport === undefined) {
        transport = transportOf(endpoint);
        transports.set(endpoint, transport);
      }
      await invokeEventAt(transport, invocation, fromCloud);
    },
  };
}

export { ShimError };
