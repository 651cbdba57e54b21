import type { Graph, WorkflowIR } from '@jointflow/ir';
import { hasErrors } from '@jointflow/ir';
import type { ApiContext } from './apiContext';
import { ApiError } from './apiError';

/**
 * The compiler for deployments, over the clouds this API runs. The work runs in the compile
 * pool's worker threads (`compilePool.ts`, `compileJob.ts`), never on the event loop.
 */

/**
 * Compiles a graph for deployment: nodes left on `auto` (and not in `placement`) are placed by
 * the planner first. Refuses with 422 and the diagnostics when the graph has errors.
 */
export async function compileForDeploy(
  ctx: ApiContext,
  graph: Graph,
  placement?: Record<string, string>,
): Promise<WorkflowIR> {
  const compiled = await ctx.compiler.run({
    op: 'deploy',
    graph,
    ...(placement ? { placement } : {}),
  });
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
