import { createHash } from 'node:crypto';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  type LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import type { BlobStore, KeyValueStore } from '@jointflow/runtime';
import { type ResolvedCloud, storeCloudOf } from '../cloudConfig';
import {
  type CloudHealth,
  type CloudShim,
  type DeployProgress,
  deployedFunctionName,
  type FunctionDeployment,
  type FunctionState,
} from '../cloudShim';
import { type DataPlane, dataPlaneOf } from '../function/dataPlane';
import { packageFunction } from '../function/packageFunction';
import { ShimError } from '../httpTransport';
import { type AwsResolvedCloud, dynamoClientOf, lambdaClientOf } from './awsClients';
import { awsErrorCodeOf, awsErrorOf, retryThrottled } from './awsErrors';

/**
 * The AWS Backend-Shim: Lambda for compute (control plane and async invoke), DynamoDB and S3 for
 * the data plane, all through AWS SDK v3 with the default credential chain (placeholder
 * credentials and endpoint overrides for emulated clouds).
 *
 * Deploy = package (packageFunction) + CreateFunction, or UpdateFunctionConfiguration /
 * UpdateFunctionCode when the function exists and differs, each with `Publish` so every IR
 * version gets its own immutable Lambda version; then the SDK's waiters until `Active` /
 * `LastUpdateStatus: Successful`. Whether a function is up to date is decided from `CodeSha256`
 * and a fingerprint of the configuration in `Description` — never by reading environment values
 * back (describe never returns them).
 */

/** Lambda's limit for a zip uploaded directly in the request. */
const DIRECT_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;
/** Lambda's limit for a function's unzipped code. */
const UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024;
const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const RUNTIME = 'nodejs20.x';
const HANDLER = 'index.handler';
const FINGERPRINT_PREFIX = 'jointflow config ';

export interface AwsShimOptions {
  /** Longest wait for a function to become Active or finish an update (default 300 s). */
  maxWaitSeconds?: number;
}

function isAws(cloud: ResolvedCloud): cloud is AwsResolvedCloud {
  return cloud.provider === 'aws';
}

/** Lambda's memory range; the IR's memory is clamped into it (the planner already caps it). */
function lambdaMemory(memoryMb: number): number {
  return Math.min(10_240, Math.max(128, Math.round(memoryMb)));
}

function lambdaTimeout(timeoutMs: number): number {
  return Math.min(900, Math.max(1, Math.ceil(timeoutMs / 1000)));
}

/**
 * A fingerprint of everything but the code: memory, timeout, role, runtime and the environment
 * (hashed: the values stay secret). Stored in `Description` to detect configuration drift.
 */
function configFingerprint(
  memorySize: number,
  timeout: number,
  role: string,
  env: Record<string, string>,
): string {
  const sortedEnv = Object.keys(env)
    .sort()
    .map((k) => [k, env[k]]);
  const hash = createHash('sha256')
    .update(JSON.stringify([memorySize, timeout, role, RUNTIME, HANDLER, sortedEnv]))
    .digest('hex')
    .slice(0, 32);
  return `${FINGERPRINT_PREFIX}${hash}`;
}

/**
 * Builds the shim of one AWS cloud of a clouds file. `clouds` are all clouds of the file: the
 * packaged functions reach their successors, failover replicas and home stores through them.
 *
 * @example
 * const shim = createAwsShim(cloud, clouds);
 * await shim.deploy(spec, (p) => console.log(p.fn, p.providerState));
 */
export function createAwsShim(
  cloud: ResolvedCloud,
  clouds: ResolvedCloud[],
  options: AwsShimOptions = {},
): CloudShim {
  if (!isAws(cloud)) {
    throw new ShimError(
      'SHIM_WRONG_PROVIDER',
      `SHIM_WRONG_PROVIDER: createAwsShim got cloud "${cloud.id}" of provider ${cloud.provider}`,
    );
  }
  const aws = cloud;
  const maxWaitTime = options.maxWaitSeconds ?? 300;
  let lambdaClient: LambdaClient | undefined;
  const lambda = () => {
    lambdaClient ??= lambdaClientOf(aws);
    return lambdaClient;
  };
  const planes = new Map<string, DataPlane>();
  const planeOf = (target: ResolvedCloud): DataPlane => {
    let plane = planes.get(target.id);
    if (plane === undefined) {
      plane = dataPlaneOf(target);
      planes.set(target.id, plane);
    }
    return plane;
  };
  const home = (): ResolvedCloud => {
    const id = storeCloudOf(aws);
    const found = id === aws.id ? aws : clouds.find((c) => c.id === id);
    if (found === undefined) {
      throw new ShimError(
        'CLOUDS_CONFIG_INVALID',
        `CLOUDS_CONFIG_INVALID: cloud "${aws.id}" keeps its keys on "${id}", which is not configured`,
      );
    }
    return found;
  };

  function nameOf(deployment: string, fn: string): string {
    const name = deployedFunctionName(deployment, fn);
    if (!LAMBDA_NAME.test(name)) {
      throw new ShimError(
        'AWS_DEPLOY_FAILED',
        `AWS_DEPLOY_FAILED: "${name}" is not a valid Lambda function name (letters, digits, - and _, at most 64 characters); shorten the node name "${fn}"`,
      );
    }
    return name;
  }

  async function getFunction(name: string): Promise<FunctionConfiguration | undefined> {
    try {
      const res = await retryThrottled(() =>
        lambda().send(new GetFunctionCommand({ FunctionName: name })),
      );
      return res.Configuration;
    } catch (error) {
      if (awsErrorCodeOf(error) === 'AWS_NOT_FOUND') return undefined;
      throw awsErrorOf(error, `Lambda GetFunction ${name} on cloud ${aws.id}`);
    }
  }

  function failureOf(name: string, config: FunctionConfiguration | undefined): ShimError {
    const reason =
      config?.State === 'Failed'
        ? `${config.StateReasonCode ?? 'Failed'}: ${config.StateReason ?? 'no reason given'}`
        : config?.LastUpdateStatus === 'Failed'
          ? `${config.LastUpdateStatusReasonCode ?? 'Failed'}: ${config.LastUpdateStatusReason ?? 'no reason given'}`
          : `state ${config?.State ?? 'unknown'}, last update ${config?.LastUpdateStatus ?? 'unknown'}`;
    return new ShimError(
      'AWS_DEPLOY_FAILED',
      `AWS_DEPLOY_FAILED: Lambda function ${name} on cloud ${aws.id} did not become ready (${reason}); fix the cause and deploy again`,
    );
  }

  /** Waits with the SDK's waiter, then reads the final configuration. */
  async function waitReady(
    name: string,
    kind: 'active' | 'updated',
  ): Promise<FunctionConfiguration> {
    const waiter = kind === 'active' ? waitUntilFunctionActiveV2 : waitUntilFunctionUpdatedV2;
    try {
      await waiter(
        { client: lambda(), maxWaitTime, minDelay: 1, maxDelay: 5 },
        { FunctionName: name },
      );
    } catch {
      // The waiter says only that it gave up or saw a failure; the function says why.
      throw failureOf(name, await getFunction(name));
    }
    const config = await getFunction(name);
    if (config === undefined) {
      throw new ShimError(
        'AWS_NOT_FOUND',
        `AWS_NOT_FOUND: Lambda function ${name} on cloud ${aws.id} disappeared while deploying (removed concurrently?); deploy again`,
      );
    }
    return config;
  }

  async function deploy(
    spec: FunctionDeployment,
    onProgress?: (progress: DeployProgress) => void,
  ): Promise<void> {
    const fn = spec.fn.name;
    const name = nameOf(spec.deployment, fn);
    const report = (state: DeployProgress['state'], providerState?: string, detail?: string) =>
      onProgress?.({
        fn,
        cloud: aws.id,
        state,
        ...(providerState !== undefined ? { providerState } : {}),
        ...(detail !== undefined ? { detail } : {}),
      });

    report('deploying', undefined, 'packaging');
    const pkg = await packageFunction(spec, aws, clouds, 'lambda');
    if (
      pkg.zip.byteLength > DIRECT_UPLOAD_LIMIT_BYTES ||
      pkg.unzippedBytes > UNZIPPED_LIMIT_BYTES
    ) {
      const mb = (n: number) => (n / 1048576).toFixed(1);
      throw new ShimError(
        'AWS_CODE_TOO_LARGE',
        `AWS_CODE_TOO_LARGE: the package of ${name} is ${mb(pkg.zip.byteLength)} MB zipped, ${mb(pkg.unzippedBytes)} MB unzipped; Lambda takes at most 50 MB zipped in a direct upload and 250 MB unzipped: import less in the step code, or keep large data in S3`,
      );
    }
    const memorySize = lambdaMemory(spec.fn.memoryMb);
    const timeout = lambdaTimeout(spec.fn.timeoutMs);
    const description = configFingerprint(memorySize, timeout, aws.functionRole, spec.env);
    const action = (what: string) => `Lambda ${what} ${name} on cloud ${aws.id}`;

    const existing = await getFunction(name);
    if (existing === undefined) {
      let created: FunctionConfiguration | undefined;
      try {
        created = await retryThrottled(
          () =>
            lambda().send(
              new CreateFunctionCommand({
                FunctionName: name,
                Runtime: RUNTIME,
                Handler: HANDLER,
                Role: aws.functionRole,
                Code: { ZipFile: pkg.zip },
                MemorySize: memorySize,
                Timeout: timeout,
                Environment: { Variables: spec.env },
                Description: description,
                PackageType: 'Zip',
                Publish: true,
              }),
            ),
          {
            retryOn: (e) =>
              awsErrorCodeOf(e) === 'AWS_THROTTLED' &&
              (e as Error).name !== 'ResourceConflictException',
          },
        );
      } catch (error) {
        // Created meanwhile by a concurrent deploy: update it like any existing function.
        if ((error as Error).name !== 'ResourceConflictException') {
          throw awsErrorOf(error, action('CreateFunction'), 'AWS_DEPLOY_FAILED');
        }
      }
      if (created !== undefined) {
        report('deploying', created.State ?? 'Pending');
        const ready = await waitReady(name, 'active');
        report('ready', ready.State ?? 'Active');
        return;
      }
    }

    let current = existing ?? (await getFunction(name));
    if (current === undefined) throw failureOf(name, undefined);
    if (current.State === 'Pending') {
      report('deploying', 'Pending');
      current = await waitReady(name, 'active');
    } else if (current.LastUpdateStatus === 'InProgress') {
      report('deploying', 'InProgress');
      current = await waitReady(name, 'updated');
    }

    if (current.Description !== description) {
      try {
        const res = await retryThrottled(() =>
          lambda().send(
            new UpdateFunctionConfigurationCommand({
              FunctionName: name,
              Runtime: RUNTIME,
              Handler: HANDLER,
              Role: aws.functionRole,
              MemorySize: memorySize,
              Timeout: timeout,
              Environment: { Variables: spec.env },
              Description: description,
            }),
          ),
        );
        report('deploying', res.LastUpdateStatus ?? 'InProgress', 'configuration');
      } catch (error) {
        throw awsErrorOf(error, action('UpdateFunctionConfiguration'), 'AWS_DEPLOY_FAILED');
      }
      current = await waitReady(name, 'updated');
    }

    if (current.CodeSha256 !== pkg.codeSha256) {
      try {
        const res = await retryThrottled(() =>
          lambda().send(
            new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: pkg.zip, Publish: true }),
          ),
        );
        report('deploying', res.LastUpdateStatus ?? 'InProgress', 'code');
      } catch (error) {
        throw awsErrorOf(error, action('UpdateFunctionCode'), 'AWS_DEPLOY_FAILED');
      }
      current = await waitReady(name, 'updated');
    }
    report('ready', current.State ?? 'Active', current.LastUpdateStatus);
  }

  async function remove(deployment: string, fn: string): Promise<void> {
    const name = nameOf(deployment, fn);
    try {
      await retryThrottled(() => lambda().send(new DeleteFunctionCommand({ FunctionName: name })));
    } catch (error) {
      if (awsErrorCodeOf(error) === 'AWS_NOT_FOUND') return;
      throw awsErrorOf(error, `Lambda DeleteFunction ${name} on cloud ${aws.id}`);
    }
  }

  async function describe(deployment: string, fn: string): Promise<FunctionState> {
    const name = nameOf(deployment, fn);
    const config = await getFunction(name);
    if (config === undefined) return { state: 'absent' };
    // Only states and the code hash leave here: never the environment.
    if (config.State === 'Failed' || config.LastUpdateStatus === 'Failed') {
      return {
        state: 'failed',
        reason: failureOf(name, config).message,
        code: 'AWS_DEPLOY_FAILED',
      };
    }
    if (config.State === 'Pending' || config.LastUpdateStatus === 'InProgress') {
      return {
        state: 'deploying',
        detail: config.State === 'Pending' ? 'Pending' : 'InProgress',
      };
    }
    if (config.State === 'Active' || config.State === 'Inactive') {
      // An Inactive function (idle for weeks) is reactivated by Lambda on the next invoke.
      return { state: 'ready', codeHash: config.CodeSha256 ?? '' };
    }
    return { state: 'deploying', detail: config.State ?? 'unknown' };
  }

  let healthDynamo: DynamoDBClient | undefined;
  async function health(): Promise<CloudHealth> {
    const started = performance.now();
    const storeCloud = home();
    const checks: Promise<string>[] = [
      lambda()
        .send(new ListFunctionsCommand({ MaxItems: 1 }))
        .then(() => 'Lambda reachable'),
    ];
    if (isAws(storeCloud)) {
      healthDynamo ??= dynamoClientOf(storeCloud);
      checks.push(
        healthDynamo
          .send(new DescribeTableCommand({ TableName: storeCloud.table }))
          .then((res) => `table ${storeCloud.table} ${res.Table?.TableStatus ?? 'unknown'}`),
      );
    }
    const results = await Promise.allSettled(checks);
    const latencyMs = Math.round(performance.now() - started);
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    if (failed.length > 0) {
      return {
        ok: false,
        latencyMs,
        detail: failed
          .map((e) => awsErrorOf(e, `health check of cloud ${aws.id}`).message)
          .join('; '),
      };
    }
    return {
      ok: true,
      latencyMs,
      detail: results.map((r) => (r.status === 'fulfilled' ? r.value : '')).join('; '),
    };
  }

  return {
    id: aws.id,
    provider: 'aws',
    region: aws.region,
    profile: aws.profile,
    deploy,
    remove,
    describe,
    invokeAsync: (invocation) => planeOf(aws).invokeAsync(invocation),
    store: (): KeyValueStore => planeOf(home()).store(),
    blobs: (): BlobStore => planeOf(home()).blobs(),
    health,
  };
}
