import type { BlobStore, Invocation, KeyValueStore } from '@jointflow/runtime';
import { aliyunDataPlane } from '../aliyun/aliyunDataPlane';
import { dynamoClientOf, lambdaClientOf, s3ClientOf } from '../aws/awsClients';
import { createDynamoStore } from '../aws/dynamoStore';
import { createLambdaInvoker } from '../aws/lambdaInvoker';
import { createS3Blobs } from '../aws/s3Blobs';
import type { CloudProvider, ResolvedCloud } from '../cloudConfig';
import { createHttpBlobs, createHttpStore, invokeEventAt } from '../httpPorts';
import { ShimError } from '../httpTransport';

/**
 * The data plane of one cloud by its provider: the runtime's ports as code running anywhere
 * (inside a deployed function, the API, the CLI) reaches them. Clients are built on first use
 * and kept, so a function container builds each once, not per invocation.
 *
 * `store()` and `blobs()` are the cloud's own; a cloud with a `homeStore` keeps its keys on
 * that other cloud, so callers ask `dataPlaneOf(home)` (see `storeCloudOf`).
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

type DataPlaneFactory<P extends CloudProvider> = (
  cloud: Extract<ResolvedCloud, { provider: P }>,
  options: DataPlaneOptions,
) => DataPlane;

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) value = make();
    return value;
  };
}

const localDataPlane: DataPlaneFactory<'local'> = (cloud, options) => {
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
};

const awsDataPlane: DataPlaneFactory<'aws'> = (cloud) => {
  const lambda = lazy(() => createLambdaInvoker(lambdaClientOf(cloud)));
  return {
    store: lazy(() => createDynamoStore({ client: dynamoClientOf(cloud), table: cloud.table })),
    blobs: lazy(() => createS3Blobs({ client: s3ClientOf(cloud), bucket: cloud.bucket })),
    invokeAsync: (invocation) => lambda()(invocation),
  };
};

/** Tablestore, OSS and Function Compute 3.0 (packages/shims/src/aliyun). */
const aliyunDataPlaneFactory: DataPlaneFactory<'aliyun'> = (cloud) => aliyunDataPlane(cloud);

const factories: { [P in CloudProvider]: DataPlaneFactory<P> } = {
  local: localDataPlane,
  aws: awsDataPlane,
  aliyun: aliyunDataPlaneFactory,
};

/**
 * The data plane of `cloud`, by provider: local → the cloud's HTTP API, aws → DynamoDB, S3 and
 * Lambda, aliyun → Tablestore, OSS and Function Compute.
 *
 * @example
 * const plane = dataPlaneOf(cloud, { fromCloud: 'aws' });
 * await plane.store().putIfAbsent('e1/a#ckpt', { out: 1 });
 */
export function dataPlaneOf(cloud: ResolvedCloud, options: DataPlaneOptions = {}): DataPlane {
  switch (cloud.provider) {
    case 'local':
      return factories.local(cloud, options);
    case 'aws':
      return factories.aws(cloud, options);
    case 'aliyun':
      return factories.aliyun(cloud, options);
  }
}
