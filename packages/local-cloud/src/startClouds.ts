import { readFileSync } from 'node:fs';
import type { CloudProfile } from '@jointflow/ir';
import {
  type AwsStandIns,
  type CloudConfig,
  CloudConfigError,
  type CloudShim,
  type CloudsFile,
  createShim,
  dynamoClientOf,
  ensureBucket,
  ensureDynamoTable,
  type LocalCloudShim,
  parseCloudsFile,
  type ResolvedCloud,
  s3ClientOf,
  startAwsStandIns,
} from '@jointflow/shims';
import { loadProfileDir } from './profiles';
import {
  type LocalClouds,
  type StartLocalCloudsOptions,
  startLocalClouds,
} from './startLocalClouds';

/**
 * Starts the clouds a clouds file names (or, without one, today's local clouds) and builds
 * their shims through the one registry (`createShim`).
 *
 * - `local` clouds: one emulator process each, as `jointflow up` always did.
 * - `aws` / `aliyun` with `emulate: true`: an emulator process answers Lambda's or Function
 *   Compute's API (with the cloud's profile: cold starts, concurrency, latency, prices), and for
 *   AWS dynalite and s3rver stand in for DynamoDB and S3; the table and bucket are bootstrapped.
 *   Everything listens on 127.0.0.1.
 * - `aws` / `aliyun` without `emulate`: nothing is started; the SDKs reach the real cloud with
 *   credentials from their standard chain.
 */

export interface StartCloudsOptions extends Omit<StartLocalCloudsOptions, 'profiles'> {
  /** A clouds file (parsed); absent: one local cloud per profile in `profileDir`. */
  clouds?: CloudsFile;
  /** Profiles to resolve names against (default: the built-in `defaultCloudProfiles`). */
  profileDir?: string;
}

export interface RunningClouds {
  /** Every cloud, resolved (profile, endpoints), in the file's order. */
  resolved: ResolvedCloud[];
  /** One shim per cloud, same order. */
  shims: CloudShim[];
  /** Shims of the emulator processes (local clouds and emulated ones), for tests and benches. */
  emulators: LocalCloudShim[];
  /** The clouds' profiles as the compiler and the planner take them. */
  profiles: CloudProfile[];
  /** Emulator URLs by cloud id (for `outsidePorts`). */
  peers: Record<string, string>;
  stop(): Promise<void>;
}

/** Reads and validates a clouds file; throws `CloudConfigError` (CLOUDS_CONFIG_INVALID). */
export function loadCloudsFile(path: string): CloudsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CloudConfigError(
      `CLOUDS_CONFIG_INVALID: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return parseCloudsFile(text, path);
}

const defaultProfileName: Record<CloudConfig['provider'], (c: CloudConfig) => string> = {
  local: (c) => c.id,
  aws: () => 'aws-local',
  aliyun: () => 'aliyun-local',
};

const providerName: Record<CloudConfig['provider'], string> = {
  local: 'Local cloud',
  aws: 'AWS Lambda',
  aliyun: 'Aliyun Function Compute 3.0',
};

/**
 * Each cloud's profile: the named (or inline) base profile with the cloud's id, provider and
 * home store, and the modelled latency re-keyed from profile names to this file's cloud ids.
 */
export function resolveProfiles(file: CloudsFile, available: CloudProfile[]): CloudProfile[] {
  const byId = new Map(available.map((p) => [p.id, p]));
  const baseOf = (cloud: CloudConfig): { name: string; profile: Omit<CloudProfile, 'id'> } => {
    if (typeof cloud.profile === 'object') return { name: cloud.id, profile: cloud.profile };
    const name = cloud.profile ?? defaultProfileName[cloud.provider](cloud);
    const profile = byId.get(name);
    if (profile === undefined) {
      throw new CloudConfigError(
        `CLOUDS_CONFIG_INVALID: cloud "${cloud.id}" names profile "${name}", which is not one of ${[...byId.keys()].join(', ')}; name one of them or give the profile inline`,
      );
    }
    return { name, profile };
  };
  const bases = file.clouds.map(baseOf);
  return file.clouds.map((cloud, i) => {
    const base = (bases[i] as (typeof bases)[number]).profile;
    const latencyMs: Record<string, number> = {};
    file.clouds.forEach((other, j) => {
      const ms =
        base.latencyMs[(bases[j] as (typeof bases)[number]).name] ?? base.latencyMs[other.id];
      if (other.id !== cloud.id && ms !== undefined) latencyMs[other.id] = ms;
    });
    const region = cloud.provider === 'local' ? '' : ` ${cloud.region}`;
    const { store: _baseStore, ...rest } = base;
    return {
      ...rest,
      id: cloud.id,
      name:
        cloud.name ??
        (cloud.provider === 'local' ? base.name : `${providerName[cloud.provider]}${region}`),
      provider: cloud.provider,
      latencyMs,
      ...(cloud.homeStore === undefined ? {} : { store: cloud.homeStore }),
    };
  });
}

function needsEmulator(cloud: CloudConfig): boolean {
  return cloud.provider === 'local' || cloud.emulate;
}

/**
 * Starts what `options.clouds` needs and returns the shims.
 *
 * @example
 * const running = await startClouds({ clouds: loadCloudsFile('examples/clouds/aws-emulated.json'), dataDir });
 * await deployWorkflow(running.shims, ir, 'd1', env);
 * await running.stop();
 */
export async function startClouds(options: StartCloudsOptions): Promise<RunningClouds> {
  const available = loadProfileDir(options.profileDir);
  const file: CloudsFile = options.clouds ?? {
    clouds: available.map((p) => ({ id: p.id, provider: 'local' as const, profile: p.id })),
  };
  const hasLocal = file.clouds.some((c) => c.provider === 'local');
  const hasOther = file.clouds.some((c) => c.provider !== 'local');
  if (hasLocal && hasOther) {
    // A local cloud's worker harness reaches other clouds through their emulators' own stores,
    // not through DynamoDB or Tablestore: mixing would split one home store in two.
    throw new CloudConfigError(
      'CLOUDS_CONFIG_INVALID: a clouds file mixes provider "local" with aws/aliyun clouds; use emulated aws/aliyun clouds ("emulate": true) instead of local ones',
    );
  }
  const profiles = resolveProfiles(file, available);
  const emulated = file.clouds
    .map((cloud, i) => ({ cloud, profile: profiles[i] as CloudProfile }))
    .filter(({ cloud }) => needsEmulator(cloud));

  let local: LocalClouds | undefined;
  let standIns: AwsStandIns | undefined;
  const stop = async () => {
    // Emulators first: their functions may still be writing to the stand-ins.
    await local?.stop();
    await standIns?.stop();
  };
  try {
    if (emulated.length > 0) {
      local = await startLocalClouds({ ...options, profiles: emulated.map((e) => e.profile) });
    }
    if (file.clouds.some((c) => c.provider === 'aws' && c.emulate)) {
      standIns = await startAwsStandIns();
    }
    const urls = local?.peers ?? {};
    const resolved: ResolvedCloud[] = file.clouds.map((cloud, i) => {
      const profile = profiles[i] as CloudProfile;
      const localUrl = urls[cloud.id];
      const { profile: _ref, ...config } = cloud;
      const withUrl = localUrl === undefined ? {} : { localUrl };
      if (config.provider === 'aws' && config.emulate && standIns !== undefined) {
        const endpoints = {
          ...config.endpoints,
          lambda: localUrl ?? '',
          dynamodb: standIns.dynamodb,
          s3: standIns.s3,
        };
        return { ...config, endpoints, profile, ...withUrl };
      }
      if (config.provider === 'aliyun' && config.emulate) {
        return {
          ...config,
          endpoints: { ...config.endpoints, fc: localUrl ?? '' },
          profile,
          ...withUrl,
        };
      }
      return { ...config, profile, ...withUrl };
    });
    for (const cloud of resolved) {
      if (cloud.provider === 'aws' && cloud.emulate && cloud.homeStore === undefined) {
        await ensureDynamoTable(dynamoClientOf(cloud), cloud.table);
        await ensureBucket(s3ClientOf(cloud), cloud.bucket, cloud.region);
      }
    }
    const emulators = local?.clouds.map((c) => c.shim) ?? [];
    const shims = resolved.map((cloud): CloudShim => {
      const emulator = emulators.find((s) => s.id === cloud.id);
      if (cloud.provider === 'local' && emulator !== undefined) return emulator;
      const shim = createShim(cloud, resolved);
      // An emulated cloud is still an emulator: its faults, queue and metering stay reachable.
      return emulator === undefined ? shim : { ...shim, local: emulator.local };
    });
    return { resolved, shims, emulators, profiles, peers: urls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
