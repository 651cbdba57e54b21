import { type CloudProfile, type CompileResult, compile, type Graph } from '@jointflow/ir';
import { estimate, type Objective, plan } from '@jointflow/planner';
import { ApiError, type ApiErrorCode } from './apiError';
import { compileBody, estimateBody, planBody } from './schemas';
import { parseJsonBody } from './validation';

/** Most nodes and edges a graph may have for compile, plan, estimate and deploy. */
export const MAX_GRAPH_NODES = 10_000;
export const MAX_GRAPH_EDGES = 20_000;

/** Refuses graphs over the size limit with 413 `API_GRAPH_TOO_LARGE`. */
export function assertGraphSize(graph: Graph): void {
  if (graph.nodes.length > MAX_GRAPH_NODES || graph.edges.length > MAX_GRAPH_EDGES) {
    throw new ApiError(
      'API_GRAPH_TOO_LARGE',
      `the graph has ${graph.nodes.length} nodes and ${graph.edges.length} edges; the limit is ${MAX_GRAPH_NODES} nodes and ${MAX_GRAPH_EDGES} edges: split it into workflows that start each other, or map over data instead of one node per item`,
    );
  }
}

/**
 * The compiler and planner calls the API makes, as plain data in and plain data out, so they can
 * run in a worker thread (`compilePool.ts`): a large graph must not hold the event loop that
 * answers health checks, trace ingest and event streams. A `request` carries the body's text of
 * `POST /api/v1/{compile,plan,estimate}` and answers the response's JSON text, so parsing,
 * validating and serializing a large graph happen in the worker too.
 */
export type CompileJob =
  | { op: 'request'; route: 'compile' | 'plan' | 'estimate'; body: string }
  | { op: 'deploy'; graph: Graph; placement?: Record<string, string> };

export type CompileOutput = CompileResult;

/** What each job answers; `deploy` is a compile with the planner's placement for `auto` nodes. */
export interface CompileJobOutputs {
  request: string;
  deploy: CompileOutput;
}

function compileGraph(
  profiles: readonly CloudProfile[],
  graph: Graph,
  placement?: Record<string, string>,
): CompileOutput {
  return compile(graph, { clouds: [...profiles], ...(placement ? { placement } : {}) });
}

/**
 * Places the graph's `auto` nodes with the planner and compiles with that placement: the answer
 * holds the placement, its estimate (makespan, cost, per cloud), the IR and the diagnostics.
 */
function planGraph(profiles: readonly CloudProfile[], graph: Graph, objective?: Objective) {
  const planned = plan(graph, profiles, {
    ...(objective ? { objective } : {}),
    ...(graph.sampleInput !== undefined ? { input: graph.sampleInput } : {}),
  });
  const compiled = compileGraph(profiles, graph, planned.placement);
  return {
    placement: planned.placement,
    estimate: compiled.ir === undefined ? null : planned.estimate,
    ...(compiled.ir !== undefined ? { ir: compiled.ir } : {}),
    diagnostics: compiled.diagnostics,
  };
}

/** Estimates the graph as placed (its pinned clouds plus `placement` for `auto` nodes). */
function estimateGraph(
  profiles: readonly CloudProfile[],
  graph: Graph,
  placement?: Record<string, string>,
) {
  const compiled = compileGraph(profiles, graph, placement);
  if (compiled.ir === undefined) return { estimate: null, diagnostics: compiled.diagnostics };
  return {
    estimate: estimate(
      compiled.ir,
      profiles,
      graph.sampleInput !== undefined ? { input: graph.sampleInput } : {},
    ),
    diagnostics: compiled.diagnostics,
  };
}

/** Nodes left on `auto` (and not in `placement`) are placed by the planner first. */
function compileForDeploy(
  profiles: readonly CloudProfile[],
  graph: Graph,
  placement?: Record<string, string>,
): CompileOutput {
  let chosen = placement ?? {};
  if (graph.nodes.some((node) => node.cloud === 'auto' && chosen[node.name] === undefined)) {
    chosen = { ...planGraph(profiles, graph).placement, ...chosen };
  }
  return compileGraph(profiles, graph, chosen);
}

/** Parses, size-checks and answers one compile/plan/estimate request body. */
function answerRequest(
  profiles: readonly CloudProfile[],
  route: 'compile' | 'plan' | 'estimate',
  body: string,
): string {
  switch (route) {
    case 'compile': {
      const parsed = parseJsonBody(body, compileBody);
      assertGraphSize(parsed.graph);
      return JSON.stringify(compileGraph(profiles, parsed.graph, parsed.placement));
    }
    case 'plan': {
      const parsed = parseJsonBody(body, planBody);
      assertGraphSize(parsed.graph);
      return JSON.stringify(planGraph(profiles, parsed.graph, parsed.objective));
    }
    case 'estimate': {
      const parsed = parseJsonBody(body, estimateBody);
      assertGraphSize(parsed.graph);
      return JSON.stringify(estimateGraph(profiles, parsed.graph, parsed.placement));
    }
  }
}

/**
 * Runs one job over the clouds' profiles. Pure: no I/O, no shared state, so the same call gives
 * the same answer on the main thread or in a worker. Client mistakes throw `ApiError`.
 */
export function runCompileJob(
  profiles: readonly CloudProfile[],
  job: CompileJob,
): CompileJobOutputs[CompileJob['op']] {
  switch (job.op) {
    case 'request':
      return answerRequest(profiles, job.route, job.body);
    case 'deploy':
      assertGraphSize(job.graph);
      return compileForDeploy(profiles, job.graph, job.placement);
  }
}

/** A job's outcome as the worker posts it back: an `ApiError` travels as its parts. */
export type CompileJobReply =
  | { ok: true; value: CompileJobOutputs[CompileJob['op']] }
  | {
      ok: false;
      apiError?: { code: ApiErrorCode; message: string; details: Record<string, unknown> };
      message?: string;
    };

/** `runCompileJob` with its errors turned into data (for the worker thread). */
export function replyToCompileJob(
  profiles: readonly CloudProfile[],
  job: CompileJob,
): CompileJobReply {
  try {
    return { ok: true, value: runCompileJob(profiles, job) };
  } catch (error) {
    if (error instanceof ApiError) {
      return {
        ok: false,
        apiError: { code: error.code, message: error.message, details: error.details },
      };
    }
    return {
      ok: false,
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
}
