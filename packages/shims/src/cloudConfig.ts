import { type CloudProfile, cloudProfileSchema } from '@jointflow/ir';
import { z } from 'zod';

/**
 * The clouds configuration file (`jointflow up --clouds <file>`, `jointflow run --clouds <file>`):
 * which clouds exist, on which provider and region, and the names of their tables, buckets and
 * roles. It holds no credentials: each SDK finds those in its standard chain (environment,
 * shared credentials and config files). Endpoint overrides point an SDK at a stand-in.
 *
 * @example
 * { "clouds": [
 *   { "id": "aws", "provider": "aws", "region": "us-east-1", "bucket": "my-jointflow-blobs",
 *     "functionRole": "arn:aws:iam::123456789012:role/jointflow-function" },
 *   { "id": "ali", "provider": "aliyun", "region": "cn-hangzhou", "accountId": "1234",
 *     "homeStore": "aws" } ] }
 */

export const cloudProviders = ['local', 'aws', 'aliyun'] as const;
export type CloudProvider = (typeof cloudProviders)[number];

const cloudId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, 'a cloud id is lower-case letters, digits and -, at most 31');
const endpointUrl = z
  .string()
  .regex(
    /^https?:\/\/[^\s/]+(\/.*)?$/,
    'an endpoint is an http(s) URL, e.g. http://127.0.0.1:8000',
  );

/**
 * Price table and limits: the id of a known profile (a built-in one, `defaultCloudProfiles`, or
 * one of the `--profiles` directory), or an inline profile. For emulated clouds the profile also sets the modelled cold
 * starts, concurrency and latency.
 */
const profileRef = z.union([z.string().min(1), cloudProfileSchema.omit({ id: true })]);

const common = {
  id: cloudId,
  /** Shown in the designer; defaults to the provider and region. */
  name: z.string().min(1).optional(),
  profile: profileRef.optional(),
  /**
   * Keys (checkpoints, join records, results, blobs) of functions on this cloud live in another
   * cloud's store (DESIGN.md: one home store per key; only compute fails over).
   */
  homeStore: cloudId.optional(),
};

export const localCloudConfigSchema = z.strictObject({
  ...common,
  provider: z.literal('local'),
});

export const awsCloudConfigSchema = z.strictObject({
  ...common,
  provider: z.literal('aws'),
  region: z.string().min(1),
  /** DynamoDB table with string keys `pk` (partition) and `sk` (sort); TTL on `expiresAt`. */
  table: z.string().min(3).max(255).default('jointflow'),
  /** S3 bucket for content-addressed blobs (bucket names are global: pick your own). */
  bucket: z.string().min(3).max(63),
  /** IAM role the functions run as (ARN); `jointflow clouds bootstrap` prints its policy. */
  functionRole: z.string().min(1),
  endpoints: z
    .strictObject({ lambda: endpointUrl, dynamodb: endpointUrl, s3: endpointUrl })
    .partial()
    .default({}),
  /**
   * Start API-compatible stand-ins on loopback instead of reaching AWS: a local cloud answering
   * Lambda's API, dynalite for DynamoDB and s3rver for S3; `endpoints` are filled in.
   */
  emulate: z.boolean().default(false),
});

export const aliyunCloudConfigSchema = z.strictObject({
  ...common,
  provider: z.literal('aliyun'),
  region: z.string().min(1),
  /** The account id, part of Function Compute's endpoint `<account>.<region>.fc.aliyuncs.com`. */
  accountId: z.string().min(1),
  /** Tablestore instance and table for the key-value store; absent when `homeStore` is set. */
  tablestore: z
    .strictObject({
      instance: z.string().min(1),
      table: z.string().min(1).default('jointflow'),
      endpoint: endpointUrl.optional(),
    })
    .optional(),
  /** OSS bucket for blobs; absent when `homeStore` is set. */
  bucket: z.string().min(3).max(63).optional(),
  /** RAM role the functions run as (ARN), optional. */
  functionRole: z.string().min(1).optional(),
  endpoints: z.strictObject({ fc: endpointUrl, oss: endpointUrl }).partial().default({}),
  /**
   * Start a local cloud answering Function Compute 3.0's API on loopback. Tablestore and OSS have
   * no stand-in: an emulated Aliyun cloud keeps its keys in another cloud's store (`homeStore`).
   */
  emulate: z.boolean().default(false),
});

export const cloudConfigSchema = z.discriminatedUnion('provider', [
  localCloudConfigSchema,
  awsCloudConfigSchema,
  aliyunCloudConfigSchema,
]);
export type CloudConfig = z.infer<typeof cloudConfigSchema>;
export type LocalCloudConfig = z.infer<typeof localCloudConfigSchema>;
export type AwsCloudConfig = z.infer<typeof awsCloudConfigSchema>;
export type AliyunCloudConfig = z.infer<typeof aliyunCloudConfigSchema>;

/** True when the cloud keeps its own keys (has a store of its own). */
export function hasOwnStore(cloud: CloudConfig): boolean {
  if (cloud.homeStore !== undefined) return false;
  if (cloud.provider === 'aliyun')
    return cloud.tablestore !== undefined && cloud.bucket !== undefined;
  return true;
}

export const cloudsFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    clouds: z.array(cloudConfigSchema).min(1, 'a clouds file names at least one cloud'),
  })
  .superRefine((file, ctx) => {
    const byId = new Map<string, CloudConfig>();
    file.clouds.forEach((cloud, i) => {
      if (byId.has(cloud.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clouds', i, 'id'],
          message: `cloud id "${cloud.id}" appears twice; give every cloud its own id`,
        });
      }
      byId.set(cloud.id, cloud);
    });
    file.clouds.forEach((cloud, i) => {
      if (cloud.homeStore === undefined) {
        if (cloud.provider === 'aliyun' && !hasOwnStore(cloud)) {
          ctx.addIssue({
            code: 'custom',
            path: ['clouds', i],
            message: `aliyun cloud "${cloud.id}" has no store: set "tablestore" and "bucket", or "homeStore" to another cloud's id`,
          });
        }
        return;
      }
      const home = byId.get(cloud.homeStore);
      if (home === undefined || home.id === cloud.id || !hasOwnStore(home)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clouds', i, 'homeStore'],
          message: `homeStore "${cloud.homeStore}" must name another cloud of this file that has a store of its own`,
        });
      }
    });
  });
export type CloudsFile = z.infer<typeof cloudsFileSchema>;

/** A stable, user-facing error about a clouds file: what is wrong and where. */
export class CloudConfigError extends Error {
  readonly code = 'CLOUDS_CONFIG_INVALID';
}

/**
 * Parses a clouds file's text. Throws `CloudConfigError` naming the file, the path of each
 * problem and what to change.
 */
export function parseCloudsFile(text: string, source = 'clouds file'): CloudsFile {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CloudConfigError(
      `CLOUDS_CONFIG_INVALID: ${source} is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const parsed = cloudsFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top)'}: ${issue.message}`)
      .join('; ');
    throw new CloudConfigError(`CLOUDS_CONFIG_INVALID: ${source}: ${problems}`);
  }
  return parsed.data;
}

/**
 * A cloud with everything resolved that the shims and the functions need: its price and limits
 * profile (id and provider set from the configuration) and, for emulated clouds, the loopback
 * endpoints of the stand-ins started for it. Plain JSON: it is packaged into every function
 * (never credentials).
 */
export type ResolvedCloud = DistributiveOmit<CloudConfig, 'profile'> & {
  profile: CloudProfile;
  /** Where the cloud's local emulator listens (provider `local`, or an emulated cloud's control API). */
  localUrl?: string;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The cloud whose store holds the keys of functions on `cloud`. */
export function storeCloudOf(cloud: Pick<CloudConfig, 'id' | 'homeStore'>): string {
  return cloud.homeStore ?? cloud.id;
}
