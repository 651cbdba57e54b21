import type { CloudProfile, Graph } from '@jointflow/ir';
import { plan } from '@jointflow/planner';

export interface BrowserPlan {
  placement: Record<string, string>;
  makespanMs: number;
  costUsd: number;
  costByCloud: Record<string, number>;
}

/**
 * Runs the planner (pure) in the browser: a placement for the graph's `auto` steps and the
 * estimated makespan and cost per execution. `undefined` when the graph does not compile.
 */
export function planInBrowser(
  graph: Graph,
  clouds: readonly CloudProfile[],
): BrowserPlan | undefined {
  if (clouds.length === 0) return undefined;
  const result = plan(graph, clouds, { objective: 'balanced', input: graph.sampleInput });
  if (result.diagnostics.some((d) => d.severity === 'error')) return undefined;
  const costByCloud: Record<string, number> = {};
  for (const [cloud, share] of Object.entries(result.estimate.perCloud))
    costByCloud[cloud] = share.costUsd;
  return {
    placement: result.placement,
    makespanMs: result.estimate.makespanMs,
    costUsd: result.estimate.costUsd,
    costByCloud,
  };
}
