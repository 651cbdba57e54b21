import type { CloudProfile, Graph } from '@jointflow/ir';
import { useMemo } from 'react';
import { planInBrowser } from './planner';

export interface PlanView {
  /** Clouds the planner chose for the graph's `auto` steps. */
  autoPlacement: Record<string, string>;
  /** The whole placement, passed to the deployment so it deploys what the dialog shows. */
  placement: Record<string, string>;
  makespanMs: number;
  costUsd: number;
  costByCloud: Record<string, number>;
}

/**
 * The planner's placement and estimate for the graph. The planner is pure, so it runs in the
 * browser (no request that could fail and no wait); `undefined` when it cannot plan this graph.
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
