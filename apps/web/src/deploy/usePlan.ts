import type { CloudProfile, Graph } from '@jointflow/ir';
import { useMemo } from 'react';
import { type BrowserPlan, planInBrowser } from './planner';

export interface PlanView extends BrowserPlan {
  /** Clouds the planner chose for the graph's `auto` steps. */
  autoPlacement: Record<string, string>;
}

/**
 * The planner's placement, reasons and estimate for the graph. The planner is pure, so it runs
 * in the browser (no request that could fail and no wait); `undefined` when it cannot plan.
 */
export function usePlan(graph: Graph, clouds: readonly CloudProfile[]): PlanView | undefined {
  return useMemo(() => {
    const planned = planInBrowser(graph, clouds);
    if (!planned) return undefined;
    const autoNodes = new Set(graph.nodes.filter((n) => n.cloud === 'auto').map((n) => n.name));
    const autoPlacement: Record<string, string> = {};
    for (const [node, cloud] of Object.entries(planned.placement)) {
      if (autoNodes.has(node)) autoPlacement[node] = cloud;
    }
    return { ...planned, autoPlacement };
  }, [graph, clouds]);
}
