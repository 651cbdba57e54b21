import type { BlobStore, KeyValueStore } from '@jointflow/runtime';
import type { DataPlane } from '../function/dataPlane';
import { ShimError } from '../httpTransport';
import {
  type AliyunResolvedCloud,
  clientPerCredentials,
  credentialSourceOf,
  fcClientOf,
  ossClient,
  tablestoreClient,
  tablestoreEndpointOf,
} from './aliyunClients';
import { createFcInvoker } from './fcInvoker';
import { createOssBlobs } from './ossBlobs';
import { createTablestoreStore } from './tablestoreStore';

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) value = make();
    return value;
  };
}

function noOwnStore(cloud: AliyunResolvedCloud, what: string): ShimError {
  return new ShimError(
    'ALIYUN_NO_STORE',
    `ALIYUN_NO_STORE: aliyun cloud "${cloud.id}" has no ${what} of its own${
      cloud.homeStore !== undefined ? ` (its keys live on "${cloud.homeStore}")` : ''
    }; set "tablestore" and "bucket" in the clouds file, or read from its home store`,
  );
}

/**
 * The data plane of an Aliyun cloud: its Tablestore store and OSS blobs (when it has its own
 * store; a cloud with `homeStore` keeps its keys elsewhere) and Function Compute 3.0's Async
 * `InvokeFunction`. Clients are built on first use and kept (one per container in a function);
 * Tablestore and OSS clients are rebuilt only when STS credentials rotate.
 *
 * @example
 * const plane = aliyunDataPlane(cloud);
 * await plane.invokeAsync(invocation);
 */
export function aliyunDataPlane(cloud: AliyunResolvedCloud): DataPlane {
  const credentials = lazy(() => credentialSourceOf(cloud));
  const invoke = lazy(() => createFcInvoker(fcClientOf(cloud, credentials())));

  const store = lazy((): KeyValueStore => {
    const ts = cloud.tablestore;
    if (ts === undefined) throw noOwnStore(cloud, 'Tablestore table');
    const endpoint = tablestoreEndpointOf(cloud.region, ts.instance, ts.endpoint);
    return createTablestoreStore({
      client: clientPerCredentials(credentials(), (c) =>
        tablestoreClient(c, ts.instance, endpoint),
      ),
      table: ts.table,
      label: `Tablestore ${ts.instance}/${ts.table} on cloud "${cloud.id}"`,
    });
  });

  const blobs = lazy((): BlobStore => {
    const bucket = cloud.bucket;
    if (bucket === undefined) throw noOwnStore(cloud, 'OSS bucket');
    return createOssBlobs({
      client: clientPerCredentials(credentials(), (c) =>
        ossClient(c, cloud.region, bucket, cloud.endpoints.oss),
      ),
      label: `OSS bucket ${bucket} on cloud "${cloud.id}"`,
    });
  });

  return {
    store,
    blobs,
    invokeAsync: (invocation) => invoke()(invocation),
  };
}
