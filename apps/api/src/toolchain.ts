import { compile, type Graph, hasErrors, type WorkflowIR } from '@jointflow/ir';
import { estimate, type Objective, plan } from '@jointflow/planner';
import type { ApiContext } from './apiContext';
import { ApiError } from './apiError';

/** The compiler and planner over the clouds this API runs. Pure calls; no I/O. */

function profiles(ctx: ApiContext) {
  return [...ctx.clouds.values()].map((shim) => shim.profile);
}

export function compileGraph(ctx: ApiContext, graph: Graph, placement?: Record<string, string>) {
  return compile(graph, { clouds: profiles(ctx), ...(placement ? { placement } : {}) });
}

/**
 * Places the graph's `auto` nodes with the planner and compiles with that placement: the answer
 * holds the placement, its estimate (makespan, cost, per cloud), the IR and the diagnostics.
 */
export function planGraph(ctx: ApiContext, graph: Graph, objective?: Objective) {
  const planned = plan(graph, profiles(ctx), {
    ...(objective ? { objective } : {}),
    ...(graph.sampleInput !== undefined ? { input: graph.sampleInput } : {}),
  });
  const compiled = compileGraph(ctx, graph, planned.placement);
  return {
    placement: planned.placement,
    estimate: compiled.ir === undefined ? null : planned.estimate,
    ...(compiled.ir !== undefined ? { ir: compiled.ir } : {}),
    diagnostics: compiled.diagnostics,
  };
}

/** Estimates the graph as placed (its pinned clouds plus `placement` for `auto` nodes). */
export function estimateGraph(
  ctx: ApiContext,
  body: { graph: Graph; placement?: Record<string, string> },
) {
  const compiled = compileGraph(ctx, body.graph, body.placement);
  if (compiled.ir === undefined) return { estimate: null, diagnostics: compiled.diagnostics };
  return {
    estimate: estimate(
      compiled.ir,
      profiles(ctx),
      body.graph.sampleInput !== undefined ? { input: body.graph.sampleInput } : {},
    ),
    diagnostics: compiled.diagnostics,
  };
}

/**
 * Compiles a graph for deployment: nodes left on `auto` (and not in `placement`) are placed by
 * the planner first. Refuses with 422 and the diagnostics when the graph has errors.
 */
export function compileForDeploy(
  ctx: ApiContext,
  graph: Graph,
  placement?: Record<string, string>,
): WorkflowIR {
  let chosen = placement ?? {};
  if (graph.nodes.some((node) => node.cloud === 'auto' && chosen[node.name] === undefined)) {
    chosen = { ...planGraph(ctx, graph).placement, ...chosen };
  }
  const compiled = compileGraph(ctx, graph, chosen);
  if (compiled.ir === undefined || hasErrors(compiled.diagnostics)) {
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
    throw new ApiError(
      'API_GRAPH_INVALID',
      `the graph has ${errors.length} error(s); fix them and deploy again: ${errors
        .slice(0, 3)
        .map((d) => `${d.code}: ${d.message}`)
        .join('; ')}`,
      { diagnostics: compiled.diagnostics },
    );
  }
  return compiled.ir;
}
