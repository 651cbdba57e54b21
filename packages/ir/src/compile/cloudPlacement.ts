import { type CloudProfile, ENVELOPE_RESERVE_BYTES } from '../cloudProfile';
import type { GraphEdge } from '../graph';
import { type DiagnosticLog, quoteList } from './diagnosticLog';
import type { GraphIndex } from './graphIndex';

/** The clouds the compiler was given, as `compile`'s options validated them. */
export interface CloudChoices {
  readonly profiles: ReadonlyMap<string, CloudProfile>;
  /** Cloud per node for nodes whose cloud is `auto` (the planner's output). */
  readonly placement: Readonly<Record<string, string>>;
  /** Where an `auto` node without a placement goes: the first profile. */
  readonly fallbackCloud: string | undefined;
}

/** Every node's cloud, and the profiles they name. */
export interface CloudPlacement {
  readonly profiles: ReadonlyMap<string, CloudProfile>;
  readonly cloudOf: ReadonlyMap<string, string>;
}

/**
 * Placement pass: places every node on its cloud (its own, the planner's for `auto`, else the first
 * profile); reports unknown clouds, bad failovers and limits a node exceeds.
 */
export function placeOnClouds(
  index: GraphIndex,
  choices: CloudChoices,
  log: DiagnosticLog,
): CloudPlacement {
  const { profiles, placement, fallbackCloud } = choices;
  const cloudOf = new Map<string, string>();
  const defaulted: string[] = [];
  const known = [...profiles.keys()].join(', ');
  for (const [name, node] of index.nodes) {
    let cloud = node.cloud;
    if (cloud === 'auto') {
      const placed = placement[name];
      if (placed !== undefined) cloud = placed;
      else if (fallbackCloud !== undefined) {
        cloud = fallbackCloud;
        defaulted.push(name);
      }
    }
    if (cloud === 'auto') continue; // no clouds at all: reported once already
    cloudOf.set(name, cloud);
    const profile = profiles.get(cloud);
    if (profile === undefined) {
      log.error(
        'IR_UNKNOWN_CLOUD',
        `node "${name}" is placed on cloud "${cloud}", which no cloud profile defines; use one of: ${known}`,
        { node: name },
      );
    }
    const seen = new Set<string>();
    for (const failover of node.failover) {
      if (failover === cloud) {
        log.error(
          'IR_FAILOVER_IS_PRIMARY',
          `node "${name}" lists its primary cloud "${cloud}" as a failover; a replica must run on another cloud, remove it`,
          { node: name },
        );
      } else if (!profiles.has(failover)) {
        log.error(
          'IR_UNKNOWN_CLOUD',
          `node "${name}" fails over to cloud "${failover}", which no cloud profile defines; use one of: ${known}`,
          { node: name },
        );
      } else if (seen.has(failover)) {
        log.warn(
          'IR_DUPLICATE_FAILOVER',
          `node "${name}" lists failover cloud "${failover}" twice; the second is ignored`,
          { node: name },
        );
      }
      seen.add(failover);
    }
    for (const id of [cloud, ...new Set(node.failover)]) {
      const limits = profiles.get(id)?.limits;
      if (limits === undefined) continue;
      if (node.memoryMb > limits.maxMemoryMb) {
        log.error(
          'IR_LIMIT_EXCEEDED',
          `node "${name}" asks for ${node.memoryMb} MB but cloud "${id}" allows at most ${limits.maxMemoryMb} MB; lower memoryMb or place it elsewhere`,
          { node: name },
        );
      }
      if (node.timeoutMs > limits.maxTimeoutMs) {
        log.error(
          'IR_LIMIT_EXCEEDED',
          `node "${name}" has a ${node.timeoutMs} ms timeout but cloud "${id}" allows at most ${limits.maxTimeoutMs} ms; lower timeoutMs or place it elsewhere`,
          { node: name },
        );
      }
    }
  }
  for (const [name, cloud] of Object.entries(placement)) {
    const pinned = index.nodes.get(name)?.cloud;
    if (pinned !== undefined && pinned !== 'auto' && pinned !== cloud) {
      log.warn(
        'IR_PLACEMENT_IGNORED',
        `the placement of "${name}" on "${cloud}" is ignored because the node is pinned to "${pinned}"; set its cloud to "auto" to let the planner move it`,
        { node: name },
      );
    }
  }
  if (defaulted.length > 0 && fallbackCloud !== undefined) {
    log.warn(
      'IR_AUTO_CLOUD',
      `${quoteList(defaulted)} ${defaulted.length === 1 ? 'has' : 'have'} cloud "auto" and no placement; placed on "${fallbackCloud}", the first cloud profile. Run the planner or pick a cloud`,
      { node: defaulted[0] },
    );
  }
  return { profiles, cloudOf };
}

/** The cloud whose store holds the keys of functions on `cloud` (its profile's `store`). */
export function storeOf(clouds: CloudPlacement, cloud: string): string {
  return clouds.profiles.get(cloud)?.store ?? cloud;
}

/** The store of a join or trigger: the cloud hosting most of its inputs; on a tie, its own. */
export function joinStore(
  clouds: CloudPlacement,
  join: string,
  incoming: readonly GraphEdge[],
): string {
  const own = clouds.cloudOf.get(join) ?? '';
  const counts = new Map<string, number>();
  for (const edge of incoming) {
    const cloud = clouds.cloudOf.get(edge.source);
    if (cloud !== undefined) counts.set(cloud, (counts.get(cloud) ?? 0) + 1);
  }
  const best = Math.max(0, ...counts.values());
  const leaders = [...counts.entries()].filter(([, n]) => n === best).map(([c]) => c);
  return storeOf(clouds, leaders.length === 1 && leaders[0] !== undefined ? leaders[0] : own);
}

/** Bytes that may travel inline to `name`: the smaller limit of its cloud and its failovers. */
export function inlineLimit(index: GraphIndex, clouds: CloudPlacement, name: string): number {
  const node = index.nodes.get(name);
  const ids = [clouds.cloudOf.get(name) ?? '', ...(node?.failover ?? [])];
  const limits = ids
    .map((c) => clouds.profiles.get(c)?.limits.asyncPayloadBytes)
    .filter((n): n is number => n !== undefined);
  return Math.max(0, Math.min(...limits) - ENVELOPE_RESERVE_BYTES);
}
