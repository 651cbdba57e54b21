import type { ResolvedCloud } from '../cloudConfig';
import { createHttpBlobs, createHttpStore, invokeEventAt } from '../httpPorts';
import { ShimError } from '../httpTransport';
import type { DataPlane, DataPlaneOptions } from './dataPlaneDispatch';

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) value = make();
    return value;
  };
}

/**
 * The data plane of a local cloud: its HTTP API at `localUrl` (store, blobs, Lambda-style
 * `Event` invoke), with `fromCloud` so the cloud adds the modelled latency between the two.
 */
export function localDataPlane(
  cloud: Extract<ResolvedCloud, { provider: 'local' }>,
  options: DataPlaneOptions,
): DataPlane {
  const url = cloud.localUrl;
  if (url === undefined) {
    throw new ShimError(
      'CLOUD_NOT_RUNNING',
      `CLOUD_NOT_RUNNING: local cloud "${cloud.id}" has no URL; start it (jointflow up) before using it`,
    );
  }
  return {
    store: lazy(() => createHttpStore(url, options.fromCloud)),
    blobs: lazy(() => createHttpBlobs(url, options.fromCloud)),
    invokeAsync: (invocation) => invokeEventAt(url, invocation, options.fromCloud),
  };
}
