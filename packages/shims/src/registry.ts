import { createAliyunShim } from './aliyun/aliyunShim';
import { createAwsShim } from './aws/awsShim';
import type { CloudProvider, ResolvedCloud } from './cloudConfig';
import type { CloudShim } from './cloudShim';
import { ShimError } from './httpTransport';
import { createLocalShim } from './localShim';

type ShimFactory = (cloud: ResolvedCloud, clouds: ResolvedCloud[]) => CloudShim;

/**
 * The one place that turns a cloud's configuration into its Backend-Shim, by provider. Every
 * caller (the API, the CLI, the benchmarks) builds shims here, so a provider is added once.
 */
const factories: Record<CloudProvider, ShimFactory> = {
  local: (cloud) => {
    if (cloud.localUrl === undefined) {
      throw new ShimError(
        'SHIM_NOT_RUNNING',
        `local cloud "${cloud.id}" has no running emulator; start it with 'jointflow up'`,
      );
    }
    return createLocalShim(cloud.profile, cloud.localUrl);
  },
  aws: (cloud, clouds) => createAwsShim(cloud, clouds),
  aliyun: (cloud, clouds) => createAliyunShim(cloud, clouds),
};

/**
 * Builds the shim of `cloud`; `clouds` are all clouds of the configuration (functions reach
 * their successors, replicas and home stores through them).
 *
 * @example
 * const shims = clouds.map((cloud) => createShim(cloud, clouds));
 */
export function createShim(cloud: ResolvedCloud, clouds: ResolvedCloud[]): CloudShim {
  return factories[cloud.provider](cloud, clouds);
}
