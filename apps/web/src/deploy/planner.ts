import type { CloudProfile, Graph } from '@jointflow/ir';

export interface BrowserPlan {
  placement: Record<string, string>;
  makespanMs?: number;
  costUsd?: number;
}

/**
 * Runs `plan`/`estimate` from @jointflow/planner over the graph. The planner package has not
 * exported them yet; until it does there is no plan and the deploy dialog says so.
 */
export function planInBrowser(
  _graph: Graph,
  _clouds: readonly CloudProfile[],
): BrowserPlan | undefined {
  return undefined;
}
