import { type CloudProfile, compile, type Graph } from '@jointflow/ir';
import { estimate, explainPlacement, type PlacementReason, plan } from '@jointflow/planner';

export interface BrowserPlan {
  placement: Record<string, string>;
  /** Warm makespan (sandboxes already running). */
  makespanMs: number;
  /** A first run after deploying: every sandbox cold, queueing included. */
  firstRunMs: number;
  /** Of `firstRunMs`, cold starts and queueing on the critical path. */
  coldStartMs: number;
  queueMs: number;
  criticalPath: string[];
  costUsd: number;
  costByCloud: Record<string, number>;
  /** Per auto step: the cloud chosen and why. */
  reasons: PlacementReason[];
}

/**
 * Runs the planner (pure) in the browser: a placement for the graph's `auto` steps, why each
 * went where it did, and the estimated makespan (first run and warm) and cost per execution.
 * `undefined` when the graph does not compile.
 */
export function planInBrowser(
  graph: Graph,
  clouds: readonly CloudProfile[],
): BrowserPlan | undefined {
  if (clouds.length === 0) return undefined;
  const options = { input: graph.sampleInput };
  const result = plan(graph, clouds, { objective: 'balanced', ...options });
  if (result.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const { ir } = compile(graph, { clouds: [...clouds], placement: result.placement });
  if (ir === undefined) return undefined;
  const first = estimate(ir, clouds, { ...options, firstRun: true });
  const costByCloud: Record<string, number> = {};
  for (const [cloud, share] of Object.entries(result.estimate.perCloud))
    costByCloud[cloud] = share.costUsd;
  const auto = graph.nodes.filter((n) => n.cloud === 'auto').map((n) => n.name);
  return {
    placement: result.placement,
    makespanMs: result.estimate.makespanMs,
    firstRunMs: first.makespanMs,
    coldStartMs: first.coldStartMs,
    queueMs: first.queueMs,
    criticalPath: first.criticalPath,
    costUsd: result.estimate.costUsd,
    costByCloud,
    reasons: explainPlacement(ir, clouds, result.placement, auto, options),
  };
}
