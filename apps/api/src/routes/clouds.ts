import type { CloudMeasurements } from '@jointflow/ir';
import type { CloudHealth, LocalEmulatorControl } from '@jointflow/shims';
import type { ApiContext } from '../apiContext';
import { ApiError, notFound } from '../apiError';
import { cloudListSchema } from '../responseSchemas';
import type { RouteTable } from '../routeTable';
import { cloudParams, faultsBody } from '../schemas';
import { readJsonBody, readParams } from '../validation';

const HEALTH_TIMEOUT_MS = 2_000;

/** `work`'s answer, or `fallback()` when it has none within the health timeout. */
async function withinTimeout<T>(work: Promise<T>, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), HEALTH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function healthOf(check: () => Promise<CloudHealth>): Promise<CloudHealth> {
  const started = Date.now();
  return withinTimeout(
    check().catch(
      (error: unknown): CloudHealth => ({
        ok: false,
        latencyMs: Date.now() - started,
        detail: error instanceof Error ? error.message : String(error),
      }),
    ),
    () => ({ ok: false, latencyMs: HEALTH_TIMEOUT_MS, detail: 'no answer within 2 s' }),
  );
}

/**
 * A local cloud's own cold-start median and sandboxes on this host, which the planner's estimate
 * prefers to the modelled platform's figures; nothing when the cloud is not local or does not
 * answer (the estimate then uses the profile).
 */
async function measuredOf(
  local: LocalEmulatorControl | undefined,
): Promise<CloudMeasurements | undefined> {
  if (local === undefined) return undefined;
  return withinTimeout(
    local.measured().catch(() => undefined),
    () => undefined,
  );
}

export function cloudRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'get',
      path: '/api/v1/clouds',
      summary: 'Cloud profiles, health and local measurements',
      responses: { 200: { description: 'every cloud', json: cloudListSchema } },
    },
    async (c) => {
      const items = await Promise.all(
        [...ctx.clouds.values()].map(async (shim) => {
          const [health, measured] = await Promise.all([
            healthOf(() => shim.health()),
            measuredOf(shim.local),
          ]);
          return {
            ...shim.profile,
            provider: shim.provider,
            region: shim.region,
            faultInjection: shim.local !== undefined,
            health,
            ...(measured === undefined ? {} : { measured }),
          };
        }),
      );
      return c.json({ items, nextCursor: null });
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/api/v1/clouds/{id}/faults',
      summary: 'Inject faults (local clouds only)',
      params: cloudParams,
      body: faultsBody,
      responses: { 204: { description: 'injected', empty: true } },
    },
    async (c) => {
      const { id } = readParams(c, cloudParams);
      const shim = ctx.clouds.get(id);
      if (shim === undefined) throw notFound('cloud', id);
      const spec = await readJsonBody(c, faultsBody);
      // Fault injection is the local emulator's capability, asked for by name.
      if (shim.local === undefined) {
        throw new ApiError(
          'API_CONFLICT',
          `cloud ${id} runs on ${shim.provider}; fault injection exists only on local clouds`,
        );
      }
      try {
        await shim.local.injectFaults(spec);
      } catch (error) {
        throw new ApiError(
          'API_CLOUD_UNAVAILABLE',
          `cloud ${id} did not accept the faults: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return c.body(null, 204);
    },
  );
}
