import { parseInstanceKey } from '@jointflow/ir';
import { keys, stepRecordSchema } from '@jointflow/runtime';
import type { ApiContext } from './apiContext';
import type { DeploymentRecord } from './store/repository';

/** What a map instance committed: how many branches it fanned out to, when it has committed. */
export interface FanOutCount {
  instance: string;
  node: string;
  /** The committed map length; null while the map has not committed (or its record is gone). */
  count: number | null;
}

/**
 * Reads the committed map length of each given map instance from its checkpoint in the map's
 * home store: the one number that says how many branches exist, before any of them has started.
 * Instances that are not map steps of the deployment are ignored; a store that cannot answer
 * gives `count: null` (the run view then shows the branches it has seen, without a total).
 */
export async function readFanOutCounts(
  ctx: ApiContext,
  deployment: DeploymentRecord,
  execution: string,
  instances: readonly string[],
): Promise<FanOutCount[]> {
  const out: FanOutCount[] = [];
  await Promise.all(
    instances.map(async (instance) => {
      let node: string;
      try {
        node = parseInstanceKey(instance).node;
      } catch {
        return;
      }
      const fn = deployment.ir.functions[node];
      if (fn === undefined || fn.kind !== 'map') return;
      const shim = ctx.clouds.get(fn.homeStore);
      let count: number | null = null;
      if (shim !== undefined) {
        try {
          const raw = await shim.store().get(keys.checkpoint(execution, instance));
          const record = stepRecordSchema.safeParse(raw);
          if (record.success && record.data.status === 'succeeded') {
            count = record.data.mapCount ?? null;
          }
        } catch (error) {
          ctx.log.warn(`fan-out count of ${execution}/${instance} not read`, {
            execution,
            instance,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      out.push({ instance, node, count });
    }),
  );
  return out.sort((a, b) => a.instance.localeCompare(b.instance));
}
