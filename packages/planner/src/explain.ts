import type { CloudProfile, WorkflowIR } from '@jointflow/ir';
import { type Estimate, type EstimateOptions, estimate } from './estimate';

/** What placing an auto step on another cloud would change (that cloud minus the chosen one). */
export interface Alternative {
  cloud: string;
  makespanDeltaMs: number;
  costDeltaUsd: number;
}

/** Why the planner put one `auto` step where it did. */
export interface PlacementReason {
  node: string;
  cloud: string;
  functionClass: string;
  /** The class speed on the chosen cloud (1 = baseline). */
  speed: number;
  /** Cost of the step per execution on the chosen cloud, USD. */
  costUsd: number;
  /** Cross-cloud latency (one way, summed over its edges) it avoids compared with the next best cloud. */
  latencySavedMs: number;
  alternatives: Alternative[];
  /** Plain sentences: speed class, price, latency saved, and what moving it would cost. */
  reasons: string[];
}

function money(usd: number): string {
  const value = Math.abs(usd);
  if (value === 0) return '$0';
  const decimals = Math.min(10, Math.max(2, 1 - Math.floor(Math.log10(value))));
  return `$${value.toFixed(decimals)}`;
}

/** Cross-cloud latency on the edges of `node` if it ran on `cloud` (its neighbours stay put). */
function edgeLatency(
  ir: WorkflowIR,
  profiles: ReadonlyMap<string, CloudProfile>,
  placement: Readonly<Record<string, string>>,
  node: string,
  cloud: string,
): number {
  const cloudOf = (name: string) => placement[name] ?? ir.functions[name]?.cloud ?? cloud;
  let total = 0;
  for (const [name, fn] of Object.entries(ir.functions)) {
    for (const c of fn.continuations) {
      if (name === node && c.target !== node) {
        const to = cloudOf(c.target);
        if (to !== cloud) total += profiles.get(cloud)?.latencyMs[to] ?? 0;
      } else if (c.target === node && name !== node) {
        const from = cloudOf(name);
        if (from !== cloud) total += profiles.get(from)?.latencyMs[cloud] ?? 0;
      }
    }
  }
  return total;
}

/**
 * Explains a placement: for each `auto` step, the cloud chosen and why — its function class's
 * speed there, its price, the cross-cloud latency it saves — and what each other cloud would
 * change in the estimate (makespan and cost), all from the same model `plan` optimised.
 *
 * @example
 * const planned = plan(graph, clouds);
 * const { ir } = compile(graph, { clouds, placement: planned.placement });
 * explainPlacement(ir, clouds, planned.placement, autoNodes); // [{ node, cloud, reasons, ... }]
 */
export function explainPlacement(
  ir: WorkflowIR,
  clouds: readonly CloudProfile[],
  placement: Readonly<Record<string, string>>,
  autoNodes: readonly string[],
  options: EstimateOptions = {},
): PlacementReason[] {
  const profiles = new Map(clouds.map((c) => [c.id, c]));
  const chosen: Estimate = estimate(ir, clouds, options, placement);
  const out: PlacementReason[] = [];
  for (const node of autoNodes) {
    const fn = ir.functions[node];
    const cloud = placement[node] ?? fn?.cloud;
    if (fn === undefined || cloud === undefined) continue;
    const functionClass = fn.functionClass;
    const speedOf = (id: string) => profiles.get(id)?.behaviour.classSpeed[functionClass] ?? 1;
    const speed = speedOf(cloud);
    const stepCost = chosen.steps[node]?.costUsd ?? 0;
    const latencyHere = edgeLatency(ir, profiles, placement, node, cloud);
    const alternatives: Alternative[] = [];
    for (const other of clouds) {
      if (other.id === cloud) continue;
      const moved = estimate(ir, clouds, options, { ...placement, [node]: other.id });
      alternatives.push({
        cloud: other.id,
        makespanDeltaMs: moved.makespanMs - chosen.makespanMs,
        costDeltaUsd: moved.costUsd - chosen.costUsd,
      });
    }
    alternatives.sort((a, b) => a.makespanDeltaMs - b.makespanDeltaMs);
    const reasons: string[] = [];
    const slowest = Math.min(...clouds.map((c) => speedOf(c.id)));
    if (speed > slowest) {
      const slowCloud = clouds.find((c) => speedOf(c.id) === slowest)?.id ?? '?';
      reasons.push(
        `its "${functionClass}" code runs ${(speed / slowest).toFixed(speed / slowest >= 10 ? 0 : 1)}× faster on ${cloud} than on ${slowCloud}`,
      );
    } else if (clouds.every((c) => speedOf(c.id) === speed)) {
      reasons.push(`"${functionClass}" code runs at the same speed on every cloud`);
    }
    const next = alternatives[0];
    let latencySavedMs = 0;
    if (next !== undefined) {
      const latencyThere = edgeLatency(ir, profiles, placement, node, next.cloud);
      latencySavedMs = Math.max(0, latencyThere - latencyHere);
      if (latencySavedMs > 0) {
        reasons.push(
          `next to its neighbours it saves ${Math.round(latencySavedMs)} ms of cross-cloud latency`,
        );
      }
      const price = profiles.get(cloud)?.prices.perGbSecond ?? 0;
      const otherPrice = profiles.get(next.cloud)?.prices.perGbSecond ?? 0;
      if (price !== otherPrice) {
        reasons.push(
          `compute costs ${money(price)} per GB-second here, ${money(otherPrice)} on ${next.cloud}`,
        );
      }
      const slower = next.makespanDeltaMs;
      const dearer = next.costDeltaUsd;
      reasons.push(
        `on ${next.cloud} the run would take ${Math.abs(Math.round(slower))} ms ${slower >= 0 ? 'longer' : 'less'} and cost ${money(dearer)} ${dearer >= 0 ? 'more' : 'less'}`,
      );
    }
    out.push({
      node,
      cloud,
      functionClass,
      speed,
      costUsd: stepCost,
      latencySavedMs,
      alternatives,
      reasons,
    });
  }
  return out;
}
