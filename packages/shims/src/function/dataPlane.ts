import { aliyunDataPlane } from '../aliyun/aliyunDataPlane';
import { awsDataPlane } from '../aws/awsDataPlane';
import type { ResolvedCloud } from '../cloudConfig';
import {
  type DataPlane,
  type DataPlaneFactories,
  type DataPlaneOptions,
  dataPlaneFrom,
} from './dataPlaneDispatch';
import { localDataPlane } from './localDataPlane';

export type { DataPlane, DataPlaneFactory, DataPlaneOptions } from './dataPlaneDispatch';

/**
 * The data-plane registry with every provider (the API, the CLI and the shims use it; it loads
 * every provider's SDK). Packaged functions use `loadDataPlanes` (dataPlaneLoader.ts), which
 * loads only the providers of their deployment's clouds.
 */
/** Every provider: local (HTTP API), aws (aws/awsDataPlane.ts), aliyun (aliyun/aliyunDataPlane.ts). */
const factories: DataPlaneFactories = {
  local: localDataPlane,
  aws: (cloud) => awsDataPlane(cloud),
  aliyun: (cloud) => aliyunDataPlane(cloud),
};

/**
 * The data plane of `cloud`, by provider: local → the cloud's HTTP API, aws → DynamoDB, S3 and
 * Lambda, aliyun → Tablestore, OSS and Function Compute.
 *
 * @example
 * const plane = dataPlaneOf(cloud, { fromCloud: 'aws' });
 * await plane.store().putIfAbsent('e1/a#ckpt', { out: 1 });
 */
export const dataPlaneOf: (cloud: ResolvedCloud, options?: DataPlaneOptions) => DataPlane =
  dataPlaneFrom(factories);
