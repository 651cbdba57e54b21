import { createHash } from 'node:crypto';
import {
  CreateFunctionInput,
  CreateFunctionRequest,
  GetFunctionRequest,
  InputCodeLocation,
  UpdateFunctionInput,
  UpdateFunctionRequest,
} from '@alicloud/fc20230330';
import type { Invocation } from '@jointflow/runtime';
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
import {
  type AliyunResolvedCloud,
  credentialSourceOf,
  type FcClient,
  fcClientOf,
} from './aliyunClients';
import { aliyunErrorCodeOf, aliyunErrorOf, retryThrottled } from './aliyunErrors';
import { createFcInvoker } from './fcInvoker';

/**
 * The Backend-Shim of an Aliyun cloud: Function Compute 3.0 (@alicloud/fc20230330) for the
 * control plane and invokes, and the keys on the cloud's home store — its own Tablestore table
 * and OSS bucket, or another cloud's store when `homeStore` is set (an emulated Aliyun cloud
 * always has one: Tablestore and OSS have no stand-in).
 *
 * Deploy: package (the shared function entry, flavor `fc`), then GetFunction; CreateFunction
 * when absent, UpdateFunction when the fingerprint in `description` differs (code SHA-256 and
 * a hash of the configuration: FC reports a CRC-64 of the code and never should we read
 * environment values back), nothing when it matches; then GetFunction until `Active` with no
 * update in progress, reporting FC's state words (`Pending`, `InProgress`, `Active`…).
 */

/** FC 3.0 runtime of the packaged entry (Node 20, ESM `index.mjs` exporting `handler`). */
export const FC_RUNTIME = 'nodejs20';
export const FC_HANDLER = 'index.handler';
/** Polls of GetFunction while waiting for `Active` (× `pollMs`). */
const WAIT_POLLS = 600;
const FINGERPRINT = /^jointflow:([0-9a-f]{64}):([0-9a-f]{16})$/;
/** FC 3.0 function names: letters, digits, `_` and `-`, not starting with a digit or `-`, ≤ 64. */
const FC_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export interface AliyunShimOptions {
  /** Interval between state polls, ms (default 500). */
  pollMs?: number;
}

/** FC wants memory in MB as a multiple of 64, at least 128. */
export function fcMemoryOf(memoryMb: number): number {
  return Math.max(128, Math.ceil(memoryMb / 64) * 64);
}

/** FC wants the timeout in whole seconds. */
export function fcTimeoutOf(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / 1000));
}

/**
 * The fingerprint kept in the function's `description`: the zip's SHA-256 and a hash of the
 * configuration (runtime, handler, memory, timeout, role and the environment). Only a hash of
 * the environment is kept, never a value, and `describe` never returns the environment.
 */
export function deployFingerprint(
  sha256Hex: string,
  config: { memorySize: number; timeout: number; role?: string; env: Record<string, string> },
): string {
  const env = Object.keys(config.env)
    .sort()
    .map((k) => [k, config.env[k]]);
  const configHash = createHash('sha256')
    .update(
      JSON.stringify([
        FC_RUNTIME,
        FC_HANDLER,
        config.memorySize,
        config.timeout,
        config.role ?? '',
        env,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  return `jointflow:${sha256Hex}:${configHash}`;
}

interface FcFunctionView {
  state?: string;
  stateReason?: string;
  stateReasonCode?: string;
  lastUpdateStatus?: string;
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
  description?: string;
  codeChecksum?: string;
}

/** Jointflow's state of a function from FC's view of it. */
export function functionStateOf(fn: FcFunctionView): FunctionState {
  if (fn.state === 'Failed' || fn.lastUpdateStatus === 'Failed') {
    const reason =
      fn.state === 'Failed'
        ? (fn.stateReason ?? 'Function Compute reports the function as Failed')
        : (fn.lastUpdateStatusReason ?? 'the last update failed');
    const code = fn.state === 'Failed' ? fn.stateReasonCode : fn.lastUpdateStatusReasonCode;
    return { state: 'failed', reason, ...(code !== undefined ? { code } : {}) };
  }
  if (fn.state === 'Active' && fn.lastUpdateStatus !== 'InProgress') {
    const match = FINGERPRINT.exec(fn.description ?? '');
    return { state: 'ready', codeHash: match?.[1] ?? fn.codeChecksum ?? '' };
  }
  return {
    state: 'deploying',
    detail: fn.lastUpdateStatus === 'InProgress' ? 'InProgress' : (fn.state ?? 'Pending'),
  };
}

function providerStateOf(fn: FcFunctionView): string {
  if (fn.lastUpdateStatus === 'InProgress' || fn.lastUpdateStatus === 'Failed') {
    return fn.lastUpdateStatus;
  }
  return fn.state ?? 'Pending';
}

function asAliyun(cloud: ResolvedCloud): AliyunResolvedCloud {
  if (cloud.provider !== 'aliyun') {
    throw new ShimError(
      'CLOUD_PROVIDER_MISMATCH',
      `CLOUD_PROVIDER_MISMATCH: cloud "${cloud.id}" is ${cloud.provider}, not aliyun`,
    );
  }
  return cloud;
}

/**
 * Builds the shim of an Aliyun cloud of a clouds file. `clouds` are all clouds of the file
 * (packaged into every function so it can reach its successors and home stores).
 *
 * @example
 * const shim = createAliyunShim(cloud, clouds);
 * await shim.deploy(spec, (p) => console.log(p.fn, p.providerState));
 */
export function createAliyunShim(
  resolved: ResolvedCloud,
  clouds: ResolvedCloud[],
  options: AliyunShimOptions = {},
): CloudShim {
  const cloud = asAliyun(resolved);
  const pollMs = options.pollMs ?? 500;
  const credentials = credentialSourceOf(cloud);
  let client: FcClient | undefined;
  const fc = () => {
    client ??= fcClientOf(cloud, credentials);
    return client;
  };
  let invoke: ((invocation: Invocation) => Promise<void>) | undefined;
  const label = `cloud "${cloud.id}" (Function Compute ${cloud.region})`;
  // Control-plane calls are safe to repeat after a timeout (see retryThrottled).
  const network = { network: true } as const;

  const homeId = storeCloudOf(cloud);
  const homeCloud = homeId === cloud.id ? cloud : clouds.find((c) => c.id === homeId);
  let plane: DataPlane | undefined;
  const homePlane = (): DataPlane => {
    if (plane !== undefined) return plane;
    if (homeCloud === undefined) {
      throw new ShimError(
        'CLOUDS_CONFIG_INVALID',
        `CLOUDS_CONFIG_INVALID: cloud "${cloud.id}" keeps its keys on "${homeId}", which is not among the configured clouds`,
      );
    }
    // One data plane (and its SDK clients) for the shim's lifetime.
    plane = dataPlaneOf(homeCloud, { fromCloud: cloud.id });
    return plane;
  };

  /** GetFunction; undefined when FC says it does not exist. */
  async function getFunction(name: string): Promise<FcFunctionView | undefined> {
    try {
      const response = await retryThrottled(
        () => fc().getFunction(name, new GetFunctionRequest({})),
        network,
      );
      const body = response.body;
      if (body === undefined) return undefined;
      // Read only what we need: `environmentVariables` never leaves this function.
      return {
        ...(body.state !== undefined ? { state: body.state } : {}),
        ...(body.stateReason !== undefined ? { stateReason: body.stateReason } : {}),
        ...(body.stateReasonCode !== undefined ? { stateReasonCode: body.stateReasonCode } : {}),
        ...(body.lastUpdateStatus !== undefined ? { lastUpdateStatus: body.lastUpdateStatus } : {}),
        ...(body.lastUpdateStatusReason !== undefined
          ? { lastUpdateStatusReason: body.lastUpdateStatusReason }
          : {}),
        ...(body.lastUpdateStatusReasonCode !== undefined
          ? { lastUpdateStatusReasonCode: body.lastUpdateStatusReasonCode }
          : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.codeChecksum !== undefined ? { codeChecksum: body.codeChecksum } : {}),
      };
    } catch (error) {
      if (aliyunErrorCodeOf(error) === 'ALIYUN_NOT_FOUND') return undefined;
      throw aliyunErrorOf(error, `FC GetFunction ${name} on ${label}`);
    }
  }

  async function waitUntilReady(
    name: string,
    report: (state: DeployProgress['state'], providerState: string, detail?: string) => void,
  ): Promise<void> {
    let last = '';
    for (let poll = 0; poll < WAIT_POLLS; poll += 1) {
      const fn = await getFunction(name);
      if (fn === undefined) {
        throw new ShimError(
          'ALIYUN_DEPLOY_FAILED',
          `ALIYUN_DEPLOY_FAILED: function ${name} disappeared from ${label} while it was being deployed; deploy again`,
        );
      }
      const state = functionStateOf(fn);
      const providerState = providerStateOf(fn);
      if (providerState !== last) {
        last = providerState;
        report(state.state, providerState, state.state === 'failed' ? state.reason : undefined);
      }
      if (state.state === 'ready') return;
      if (state.state === 'failed') {
        throw new ShimError(
          'ALIYUN_DEPLOY_FAILED',
          `ALIYUN_DEPLOY_FAILED: Function Compute reports ${name} on ${label} as ${providerState}${
            state.code !== undefined ? ` (${state.code})` : ''
          }: ${state.reason}; fix the step code or its settings and deploy again`,
        );
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
    throw new ShimError(
      'ALIYUN_DEPLOY_FAILED',
      `ALIYUN_DEPLOY_FAILED: ${name} on ${label} was still ${last} after ${WAIT_POLLS} polls; look at the function in the Function Compute console and deploy again`,
    );
  }

  return {
    id: cloud.id,
    provider: 'aliyun',
    region: cloud.region,
    profile: cloud.profile,

    async deploy(spec: FunctionDeployment, onProgress?: (progress: DeployProgress) => void) {
      const fnName = spec.fn.name;
      const name = deployedFunctionName(spec.deployment, fnName);
      const report = (state: DeployProgress['state'], providerState: string, detail?: string) =>
        onProgress?.({
          fn: fnName,
          cloud: cloud.id,
          state,
          providerState,
          ...(detail !== undefined ? { detail } : {}),
        });

      if (!FC_NAME.test(name)) {
        throw new ShimError(
          'ALIYUN_DEPLOY_FAILED',
          `ALIYUN_DEPLOY_FAILED: "${name}" is not a valid Function Compute function name (letters, digits, _ and -, starting with a letter or _, at most 64 characters); shorten or rename the step or the deployment`,
        );
      }
      if (!cloud.emulate && cloud.homeStore === undefined && cloud.functionRole === undefined) {
        throw new ShimError(
          'ALIYUN_DEPLOY_FAILED',
          `ALIYUN_DEPLOY_FAILED: cloud "${cloud.id}" keeps its keys in its own Tablestore table and OSS bucket, but has no "functionRole": its functions would have no credentials to reach them; create a RAM role Function Compute may assume, attach the policy 'jointflow clouds bootstrap ${cloud.id}' prints, and set "functionRole" in the clouds file`,
        );
      }
      report('deploying', 'Packaging');
      const pkg = await packageFunction(spec, cloud, clouds, 'fc');
      const memorySize = fcMemoryOf(spec.fn.memoryMb);
      const timeout = fcTimeoutOf(spec.fn.timeoutMs);
      const description = deployFingerprint(pkg.sha256Hex, {
        memorySize,
        timeout,
        ...(cloud.functionRole !== undefined ? { role: cloud.functionRole } : {}),
        env: spec.env,
      });
      const settings = {
        runtime: FC_RUNTIME,
        handler: FC_HANDLER,
        code: new InputCodeLocation({ zipFile: Buffer.from(pkg.zip).toString('base64') }),
        memorySize,
        timeout,
        environmentVariables: spec.env,
        description,
        ...(cloud.functionRole !== undefined ? { role: cloud.functionRole } : {}),
      };

      // Safe to repeat: the same settings again, whichever attempt FC applied.
      const update = () =>
        retryThrottled(
          () =>
            fc().updateFunction(
              name,
              new UpdateFunctionRequest({ body: new UpdateFunctionInput(settings) }),
            ),
          network,
        );

      const existing = await getFunction(name);
      if (existing !== undefined && existing.description === description) {
        // Same code and configuration: nothing to change, only wait if FC is still busy.
        await waitUntilReady(name, report);
        return;
      }
      try {
        if (existing === undefined) {
          report('deploying', 'Creating');
          try {
            await retryThrottled(
              () =>
                fc().createFunction(
                  new CreateFunctionRequest({
                    body: new CreateFunctionInput({ functionName: name, ...settings }),
                  }),
                ),
              network,
            );
          } catch (error) {
            // Another deployer created it meanwhile: update it instead.
            if ((error as { code?: unknown }).code !== 'FunctionAlreadyExists') throw error;
            await update();
          }
        } else {
          report('deploying', 'Updating');
          await update();
        }
      } catch (error) {
        const action = `FC ${existing === undefined ? 'CreateFunction' : 'UpdateFunction'} ${name} on ${label}`;
        throw aliyunErrorOf(error, action, 'ALIYUN_DEPLOY_FAILED');
      }
      await waitUntilReady(name, report);
    },

    async remove(deployment, fn) {
      const name = deployedFunctionName(deployment, fn);
      try {
        await retryThrottled(() => fc().deleteFunction(name), network);
      } catch (error) {
        if (aliyunErrorCodeOf(error) === 'ALIYUN_NOT_FOUND') return;
        throw aliyunErrorOf(error, `FC DeleteFunction ${name} on ${label}`);
      }
    },

    async describe(deployment, fn) {
      const view = await getFunction(deployedFunctionName(deployment, fn));
      return view === undefined ? { state: 'absent' } : functionStateOf(view);
    },

    invokeAsync(invocation) {
      invoke ??= createFcInvoker(fc());
      return invoke(invocation);
    },

    store: () => homePlane().store(),
    blobs: () => homePlane().blobs(),

    async health(): Promise<CloudHealth> {
      const started = performance.now();
      try {
        // A function that never exists: FunctionNotFound proves the endpoint and the credentials.
        await fc().getFunction('jointflow-health-probe', new GetFunctionRequest({}));
        return { ok: true, latencyMs: performance.now() - started };
      } catch (error) {
        const latencyMs = performance.now() - started;
        if (aliyunErrorCodeOf(error) === 'ALIYUN_NOT_FOUND') return { ok: true, latencyMs };
        return {
          ok: false,
          latencyMs,
          detail: aliyunErrorOf(error, `FC GetFunction on ${label}`).message,
        };
      }
    },
  };
}
