import {
  type CloudProfile,
  compile,
  type Diagnostic,
  type Graph,
  type WorkflowIR,
} from '@jointflow/ir';
import { type CloudShare, type Estimate, type EstimateOptions, estimate } from './estimate';

export type Objective = 'makespan' | 'cost' | 'balanced';

export interface PlanOptions extends EstimateOptions {
  /** What to minimise (default `makespan`). `balanced` weighs makespan and cost relative to the all-on-one-cloud baseline. */
  objective?: Objective;
}

export interface Plan {
  /** Cloud for every `auto` node; pass it to `compile(graph, { clouds, placement })`. */
  placement: Record<string, string>;
  estimate: Estimate;
  perCloud: Record<string, CloudShare>;
  /** The compiler's diagnostics when the graph cannot be planned (placement is then empty). */
  diagnostics: Diagnostic[];
}

/**
 * Places every `auto` node of a graph on a cloud, leaving pinned nodes where they are, by
 * local search over the estimate model (see `estimate`): start from the best single-cloud
 * placement, then move one node at a time to the cloud that improves the objective most,
 * until no move helps. It sees class speeds, prices and cross-cloud latency; it is a heuristic
 * on a simple model, not an optimum.
 *
 * @example
 * const { placement } = plan(graph, defaultCloudProfiles, { objective: 'makespan' });
 * const { ir } = compile(graph, { clouds: defaultCloudProfiles, placement });
 */
export function plan(
  graph: Graph,
  clouds: readonly CloudProfile[],
  options: PlanOptions = {},
): Plan {
  const objective = options.objective ?? 'makespan';
  const base = compile(graph, { clouds: [...clouds] });
  const ir = base.ir;
  const empty: Estimate = {
    makespanMs: 0,
    costUsd: 0,
    perCloud: {},
    criticalPath: [],
    steps: {},
    coldStartMs: 0,
    queueMs: 0,
  };
  if (ir === undefined || clouds.length === 0) {
    return { placement: {}, estimate: empty, perCloud: {}, diagnostics: base.diagnostics };
  }
  const auto = graph.nodes.filter((n) => n.cloud === 'auto').map((n) => n.name);
  const cloudIds = clouds.map((c) => c.id);
  const evaluate = (placement: Record<string, string>): Estimate =>
    estimate(ir, clouds, options, placement);

  const uniform = cloudIds.map((id) => Object.fromEntries(auto.map((n) => [n, id])));
  const baseline = uniform.map(evaluate);
  const score = scorer(objective, baseline);

  let best = uniform[0] ?? {};
  let bestScore = Number.POSITIVE_INFINITY;
  for (const [i, candidate] of uniform.entries()) {
    const s = score(baseline[i] ?? evaluate(candidate));
    if (s < bestScore - 1e-12) {
      best = candidate;
      bestScore = s;
    }
  }
  for (let pass = 0; pass < 8; pass++) {
    let improved = false;
    for (const node of orderOf(ir, auto)) {
      for (const cloud of cloudIds) {
        if (best[node] === cloud) continue;
        const candidate = { ...best, [node]: cloud };
        const s = score(evaluate(candidate));
        if (s < bestScore - 1e-9 * Math.max(1, Math.abs(bestScore))) {
          best = candidate;
          bestScore = s;
          improved = true;
        }
      }
    }
    if (!improved) break;
  }

  const placed = compile(graph, { clouds: [...clouds], placement: best });
  const final = placed.ir === undefined ? evaluate(best) : estimate(placed.ir, clouds, options);
  return {
    placement: best,
    estimate: final,
    perCloud: final.perCloud,
    diagnostics: placed.diagnostics,
  };
}

function scorer(objective: Objective, baseline: Estimate[]): (e: Estimate) => number {
  if (objective === 'makespan') return (e) => e.makespanMs + e.costUsd * 1e-3; // cost breaks ties
  if (objective === 'cost') return (e) => e.costUsd + e.makespanMs * 1e-15;
  const makespan0 = Math.max(1e-9, Math.min(...baseline.map((e) => e.makespanMs)));
  const cost0 = Math.max(1e-15, Math.min(...baseline.map((e) => e.costUsd)));
  return (e) => e.makespanMs / makespan0 + e.costUsd / cost0;
}

/** Auto nodes in IR order from the start, so moves follow the data. */
function orderOf(ir: WorkflowIR, auto: string[]): string[] {
  const seen: string[] = [];
  const work = [ir.start];
  while (work.length > 0) {
    const name = work.shift();
    if (name === undefined || seen.includes(name)) continue;
    seen.push(name);
    for (const c of ir.functions[name]?.continuations ?? []) work.push(c.target);
  }
  return seen.filter((n) => auto.includes(n));
}
