import type { CloudProvider } from '../cloudConfig';
import { type DataPlane, type DataPlaneFactories, dataPlaneFrom } from './dataPlaneDispatch';

/**
 * The data-plane registry of a packaged function, loaded on demand: only the providers of the
 * deployment's clouds are imported (the bundle splits each provider into its own chunk), so a
 * Lambda function never parses the Aliyun SDKs and an FC function never parses the AWS SDK —
 * a third of the bundle each, and most of a cold start's module loading.

 */
export async function loadDataPlanes(
  providers: Iterable<CloudProvider>,
): Promise<ReturnType<typeof dataPlaneFrom>> {
  const wanted = new Set(providers);
  const factories: Partial<DataPlaneFactories> = {};
  const loads: Promise<void>[] = [];
  if (wanted.has('local')) {
    loads.push(
      import('./localDataPlane').then((m) => {
        factories.local = m.localDataPlane;
      }),
    );
  }
  if (wanted.has('aws')) {
    loads.push(
      import('../aws/awsDataPlane').then((m) => {
        factories.aws = (cloud): DataPlane => m.awsDataPlane(cloud);
      }),
    );
  }
  if (wanted.has('aliyun')) {
    loads.push(
      import('../aliyun/aliyunDataPlane').then((m) => {
        factories.aliyun = (cloud): DataPlane => m.aliyunDataPlane(cloud);
      }),
    );
  }
  await Promise.all(loads);
  return dataPlaneFrom(factories);
}
