import {
  createFunction,
  type FaultPoint,
  type Invocation,
  InvokeError,
  invocationSchema,
  type RuntimePorts,
  type StepOutcome,
  type UserHandler,
} from '@jointflow/runtime';
import { type ResolvedCloud, storeCloudOf } from '../cloudConfig';
import type { DataPlane, DataPlaneOptions } from './dataPlaneDispatch';
import type { FunctionPackageConfig } from './functionConfig';
import { createHttpTraceSink, discardingTraceSink } from './traceSink';

/**
 * The generic function entry's logic: what runs inside a Lambda or FC container (or a local
 * cloud's sandbox running the same zip). Built once per container from the packaged config and
 * the user's module; every invocation reuses its SDK clients and trace sink.
 */

/** The platform's invocation context, as far as the entry reads it. */
export interface PlatformContext {
  /** Set by the local clouds' sandboxes: the host's fault injection (absent on real clouds). */
  jointflowFaultPoint?: (point: FaultPoint, instance: string) => void;
}

export type FunctionHandler = (event: unknown, context?: PlatformContext) => Promise<StepOutcome>;

export interface FunctionHandlerOptions {
  /** The container's environment (default `process.env`): `JF_TRACE_URL`, `JF_TRACE_SECRET`. */
  env?: Record<string, string | undefined>;
  /**
   * The provider registry: `loadDataPlanes(...)` in a packaged function (only the providers it
   * needs), `dataPlaneOf` elsewhere.
   */
  dataPlaneOf: (cloud: ResolvedCloud, options?: DataPlaneOptions) => DataPlane;
}

/**
 * Lambda passes the parsed JSON payload; FC passes the request body as a Buffer; a string is
 * accepted too. The result is validated as an `Invocation`.
 */
export function decodeEvent(event: unknown): Invocation {
  let json = event;
  if (typeof event === 'string') json = JSON.parse(event);
  else if (event instanceof Uint8Array) json = JSON.parse(Buffer.from(event).toString('utf8'));
  return invocationSchema.parse(json);
}

/**
 * Builds `handler(event, context)` for one packaged function.
 *
 * @example
 * // functionEntry.ts, bundled into index.mjs:
 * export const handler = createFunctionHandler(config, userModule, { dataPlaneOf });
 */
export function createFunctionHandler(
  config: FunctionPackageConfig,
  userModule: Record<string, unknown>,
  options: FunctionHandlerOptions,
): FunctionHandler {
  const env = options.env ?? process.env;
  const registry = options.dataPlaneOf;
  const cloudsById = new Map<string, ResolvedCloud>(config.clouds.map((c) => [c.id, c]));
  const planes = new Map<string, DataPlane>();

  function cloudOf(id: string): ResolvedCloud {
    const cloud = cloudsById.get(id);
    if (cloud === undefined) {
      throw new InvokeError(
        'INVOKE_UNKNOWN_CLOUD',
        `INVOKE_UNKNOWN_CLOUD: cloud "${id}" is not among this deployment's clouds (${[...cloudsById.keys()].join(', ')})`,
      );
    }
    return cloud;
  }

  function planeOf(id: string): DataPlane {
    let plane = planes.get(id);
    if (plane === undefined) {
      plane = registry(cloudOf(id), { fromCloud: config.cloud });
      planes.set(id, plane);
    }
    return plane;
  }

  const traceUrl = env.JF_TRACE_URL;
  const traceSecret = env.JF_TRACE_SECRET;
  const trace =
    traceUrl !== undefined && traceUrl !== '' && traceSecret !== undefined
      ? createHttpTraceSink({ url: traceUrl, secret: traceSecret })
      : discardingTraceSink;

  // The platform context of the invocation in progress (one at a time per container, as on
  // Lambda and FC with one concurrent request per instance).
  let current: PlatformContext | undefined;

  const ports: RuntimePorts = {
    cloud: config.cloud,
    store: (id) => planeOf(storeCloudOf(cloudOf(id))).store(),
    blobs: (id) => planeOf(storeCloudOf(cloudOf(id))).blobs(),
    invoker: {
      async invokeAsync(cloud, invocation) {
        await planeOf(cloud).invokeAsync(invocation);
      },
    },
    trace,
    now: () => Date.now(),
    faultPoint(point, instance) {
      current?.jointflowFaultPoint?.(point, instance);
    },
  };

  const exported = userModule.handler;
  const userHandler = typeof exported === 'function' ? (exported as UserHandler) : undefined;
  let run: (invocation: Invocation) => Promise<StepOutcome>;
  try {
    const runner = createFunction({
      context: config.context,
      fn: config.fn,
      deployment: config.deployment,
      ports,
      ...(userHandler ? { handler: userHandler } : {}),
    });
    // Lambda's event carries no attempt number: a redelivery looks like a first delivery, and
    // the commit's put-if-absent (not the pre-run read) is what keeps it exactly-once.
    run = (invocation) => runner(invocation, { attempt: 1, platformRetry: false });
  } catch (error) {
    // A function the runtime refuses fails every invocation with the reason.
    run = () => Promise.reject(error);
  }

  return async (event, context) => {
    current = context;
    try {
      const outcome = await run(decodeEvent(event));
      await trace.flush();
      return outcome;
    } catch (error) {
      await trace.flush().catch(() => undefined);
      throw error;
    } finally {
      current = undefined;
    }
  };
}
