import { instanceKey } from '@jointflow/ir';
import { resolveDataRef } from './dataRef';
import { evaluate } from './expressions';
import { keys } from './keys';
import { isTombstone, parseStored, stepRecordSchema } from './records';
import { currentIteration, type Route } from './routes';
import { RuntimeError } from './runtimeError';
import { invokeWithFailover, type StepEnv, transferRef } from './stepEnv';

/**
 * A bounded map (`maxConcurrency` n) invokes only its first n elements; the branch of element k,
 * once its slot is filled, starts element k + n here. The element comes from the map's committed
 * record (one consistent `get` in the map's home store, plus a blob read when the items were too
 * large to sit inline), so whoever starts it (this branch, a duplicate, a redrive) sends the same
 * input to the same instance `<target>/…/map:<map>=<k+n>`, whose checkpoint absorbs the copies.
 * Returns the number of invokes (1, or 0 when the execution was closed meanwhile).
 */
export async function startNextElement(
  env: StepEnv,
  route: Extract<Route, { kind: 'map-next' }>,
  flagged: boolean,
): Promise<number> {
  const next = route.successor;
  const key = keys.checkpoint(env.execution, instanceKey(next.map, route.mapScope));
  const stored = await env.ports.store(next.mapStore).get(key);
  if (stored !== undefined && isTombstone(stored)) return 0;
  const record = stored === undefined ? undefined : parseStored(stepRecordSchema, stored, key);
  if (record?.status !== 'succeeded') {
    throw new RuntimeError(
      'RUNTIME_MAP_RECORD_MISSING',
      `a branch of map "${next.map}" found no committed success of the map at ${key} in ${next.mapStore}, so it cannot start element ${route.element}; redrive the execution`,
    );
  }
  const items = await resolveDataRef(record.output, (c) => env.ports.blobs(c));
  if (!Array.isArray(items) || route.element >= items.length) {
    throw new RuntimeError(
      'RUNTIME_BAD_IR',
      `map "${next.map}" committed no element ${route.element}; recompile and redeploy the workflow`,
    );
  }
  const element: unknown = items[route.element];
  // The bindings the map itself evaluates its mapping with (a map is never a loop node).
  const bindings = { iteration: currentIteration(route.mapScope), index: route.element };
  const value =
    next.mapping === undefined ? element : await evaluate(next.mapping, element, bindings);
  const input = await transferRef(env, value, next);
  await invokeWithFailover(env, [next.cloud, ...next.failover], {
    fn: next.target,
    scope: route.scope,
    input,
    ...(flagged ? { possibleDuplicate: true } : {}),
  });
  return 1;
}
