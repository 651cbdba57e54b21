import type { CloudProfile } from '@jointflow/ir';
import type { Invocation } from '@jointflow/runtime';
import type {
  CloudHealth,
  CloudShim,
  FaultSpec,
  FunctionDeployment,
  FunctionState,
  LocalEmulatorControl,
} from './cloudShim';
import { deployedFunctionName } from './cloudShim';
import { createHttpBlobs, createHttpStore, invokeEventAt } from './httpPorts';
import { httpErrorOf, httpRequest, jsonCall, ShimError } from './httpTransport';
import {
  type CloudStats,
  type DeadLetterRow,
  deadLetterRow,
  functionStateSchema,
  healthResponse,
  localRoutes,
  type MeteringRow,
  meteringRow,
  pendingResponse,
  statsResponse,
} from './localWire';

/**
 * A local cloud's shim: the Backend-Shim contract, the emulator's controls (`local`: faults,
 * pending invocations, metering), and the emulator's own views for tests and benchmarks.
 */
export interface LocalCloudShim extends CloudShim {
  readonly url: string;
  readonly local: LocalEmulatorControl;
  /** Lambda `RequestResponse`: runs the invocation and returns its result (no async retries). */
  invokeSync(invocation: Invocation): Promise<unknown>;
  metering(): Promise<MeteringRow[]>;
  deadLetters(): Promise<DeadLetterRow[]>;
  stats(): Promise<CloudStats>;
  /** Invocations of `execution` this cloud accepted and has not finished (queued or running). */
  pendingInvocations(execution: string): Promise<number>;
}

/**
 * The Backend-Shim for a local cloud process listening at `url` (see packages/local-cloud).
 * Control-plane calls carry no cloud header: they come from outside every cloud, so no
 * inter-cloud latency applies. They carry `options.controlSecret` (the cloud answers
 * `/control/*` only with it; startLocalClouds passes the one it started the cloud with).
 *
 * @example
 * const shim = createLocalShim(profile, 'http://127.0.0.1:4100');
 * await shim.deploy({ deployment: 'd1', context, fn, env: {} });
 * await shim.invokeAsync(invocation);
 */
export function createLocalShim(
  profile: CloudProfile,
  url: string,
  options: { controlSecret?: string } = {},
): LocalCloudShim {
  const store = createHttpStore(url);
  const blobs = createHttpBlobs(url);
  const auth: Record<string, string> =
    options.controlSecret === undefined ? {} : { authorization: `Bearer ${options.controlSecret}` };
  const control = (method: string, path: string, body?: unknown) =>
    jsonCall(method, `${url}${path}`, body, auth);
  const metering = async () =>
    meteringRow.array().parse(await control('GET', localRoutes.metering));
  const pendingInvocations = async (execution: string) =>
    pendingResponse.parse(await control('GET', localRoutes.pending(execution))).pending;
  return {
    id: profile.id,
    provider: 'local',
    region: 'local',
    profile,
    url,
    local: {
      async injectFaults(spec: FaultSpec) {
        await control('POST', localRoutes.faults, spec);
      },
      pendingInvocations,
      metering,
      async measured() {
        return statsResponse.parse(await control('GET', localRoutes.stats)).measured;
      },
    },
    async deploy(spec: FunctionDeployment) {
      const name = deployedFunctionName(spec.deployment, spec.fn.name);
      const state = functionStateSchema.parse(
        await control('PUT', localRoutes.function(name), spec),
      );
      if (state.state === 'failed') {
        throw new ShimError(
          'DEPLOY_BUILD_FAILED',
          `function ${spec.fn.name} on ${profile.id} did not build; fix its code and deploy again: ${state.reason}`,
        );
      }
    },
    async remove(deployment, fn) {
      await control('DELETE', localRoutes.function(deployedFunctionName(deployment, fn)));
    },
    async describe(deployment, fn): Promise<FunctionState> {
      return functionStateSchema.parse(
        await control('GET', localRoutes.function(deployedFunctionName(deployment, fn))),
      );
    },
    invokeAsync(invocation) {
      return invokeEventAt(url, invocation);
    },
    async invokeSync(invocation) {
      const name = deployedFunctionName(invocation.deployment, invocation.fn);
      const res = await httpRequest({
        method: 'POST',
        url: `${url}${localRoutes.invoke(name)}`,
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
        body: JSON.stringify(invocation),
      });
      if (res.status !== 200) throw httpErrorOf(res, url);
      const body: unknown = res.body.length === 0 ? null : JSON.parse(res.body.toString('utf8'));
      if (res.headers['x-amz-function-error'] !== undefined) {
        const message =
          typeof body === 'object' && body !== null && 'errorMessage' in body
            ? String((body as { errorMessage: unknown }).errorMessage)
            : 'function failed';
        throw new ShimError('FUNCTION_ERROR', message, 200);
      }
      return body;
    },
    async health(): Promise<CloudHealth> {
      const started = performance.now();
      try {
        const res = healthResponse.parse(await control('GET', localRoutes.health));
        const health: CloudHealth = { ok: res.ok, latencyMs: performance.now() - started };
        if (res.outageUntil !== undefined) health.outageUntil = res.outageUntil;
        return health;
      } catch (error) {
        return {
          ok: false,
          latencyMs: performance.now() - started,
          detail: error instanceof Error ? error.message : String(error),
        };
      }
    },
    store: () => store,
    blobs: () => blobs,
    metering,
    async deadLetters() {
      return deadLetterRow.array().parse(await control('GET', localRoutes.deadLetters));
    },
    async stats() {
      return statsResponse.parse(await control('GET', localRoutes.stats));
    },
    pendingInvocations,
  };
}
