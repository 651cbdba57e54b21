import type { BlobStore, Invocation, KeyValueStore } from '@jointflow/runtime';
import type { CloudProvider, ResolvedCloud } from '../cloudConfig';

/**
 * The data plane of one cloud by its provider: the runtime's ports as code running anywhere
 * (inside a deployed function, the API, the CLI) reaches them. Clients are built on first use
 * and kept, so a function container builds each once, not per invocation.
 *
 * `store()` and `blobs()` are the cloud's own; a cloud with a `homeStore` keeps its keys on
 * that other cloud, so callers ask `dataPlaneOf(home)` (see `storeCloudOf`).
 *
 * This file holds the contract and the dispatch only, importing no provider, so a packaged
 * function can load just the providers it needs (dataPlaneLoader.ts); dataPlane.ts is the
 * registry with every provider.
 */
export interface DataPlane {
  store(): KeyValueStore;
  blobs(): BlobStore;
  /** Asynchronous invoke of the deployed function the invocation names. */
  invokeAsync(invocation: Invocation): Promise<void>;
}

export interface DataPlaneOptions {
  /** The caller's cloud, for clouds that model latency between clouds (local). */
  fromCloud?: string;
}

export type DataPlaneFactory<P extends CloudProvider> = (
  cloud: Extract<ResolvedCloud, { provider: P }>,
  options: DataPlaneOptions,
) => DataPlane;

export type DataPlaneFactories = { [P in CloudProvider]: DataPlaneFactory<P> };

/** Dispatches on the provider to one of `factories`. */
export function dataPlaneFrom(
  factories: Partial<DataPlaneFactories>,
): (cloud: ResolvedCloud, options?: DataPlaneOptions) => DataPlane {
  const missing = (provider: CloudProvider): never => {
    throw new Error(
      `DATA_PLANE_NOT_LOADED: no data plane for provider ${provider} was loaded in this process`,
    );
  };
  return (cloud, options = {}) => {
    switch (cloud.provider) {
      case 'local':
        return (factories.local ?? missing('local'))(cloud, options);
      case 'aws':
        return (factories.aws ?? missing('aws'))(cloud, options);
      case 'aliyun':
        return (factories.aliyun ?? missing('aliyun'))(cloud, options);
    }
  };
}
