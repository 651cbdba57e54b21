import { compile, type Graph, hasErrors, type WorkflowIR } from '@jointflow/ir';
import type { ApiContext } from './apiContext';
import { ApiError } from './apiError';

/** The compiler and planner over the clouds this API runs. Pure calls; no I/O. */

function profiles(ctx: ApiContext) {
  return [...ctx.clouds.values()].map((shim) => shim.profile);
}

export function compileGraph(ctx: ApiContext, graph: Graph, placement?: Record<string, string>) {
  return compile(graph, { clouds: profiles(ctx), ...(placement ? { placement } : {}) });
}

// TODO(planner): packages/planner has not landed its `plan`/`estimate` yet; until then these two
// answer 409 and deploy leaves `auto` nodes to the compiler's fallback (the first cloud).
function plannerMissing(): never {
  throw new ApiError(
    'API_CONFLICT',
    "the planner is not available in this build; place nodes by hand (set each node's cloud)",
  );
}

export function planGraph(
  _ctx: ApiContext,
  _graph: Graph,
  _objective?: string,
): { placement: Record<string, string> } {
  return plannerMissing();
}

export function estimateGraph(
  ctx: ApiContext,
  body: { graph: Graph; placement?: Record<string, string> } | { ir: Record<string, unknown> },
) {
  if ('graph' in body) {
    const compiled = compileGraph(ctx, body.graph, body.placement);
    if (compiled.ir === undefined) return { estimate: null, diagnostics: compiled.diagnostics };
    return plannerMissing();
  }
  return plannerMissing();
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
  const compiled = compileGraph(ctx, graph, placement);
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
