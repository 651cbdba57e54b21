import {
  aslStubDiagnostics,
  type CloudProfile,
  compile,
  defaultCloudProfiles,
  type Graph,
  type WorkflowIR,
} from '@jointflow/ir';
import { planInBrowser } from '../deploy/planner';
import type { StepCodeDiagnostic } from '../editor/stepCodeDiagnostics';

/** A problem shown in the problems panel; the same shape as the compiler's diagnostics. */
export interface Problem {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  node?: string;
  edge?: string;
  /** For problems in a step's code: the line (from 1) in that step's code. */
  line?: number;
}

export interface Validation {
  problems: Problem[];
  ir?: WorkflowIR;
  /** The planner's clouds for `auto` steps, shown on the canvas. */
  placement?: Record<string, string>;
  errorNodes: Set<string>;
  errorEdges: Set<string>;
  hasErrors: boolean;
}

/**
 * Checks the designer's graph live with the compiler (`compile` from @jointflow/ir), the same
 * code the API runs before it deploys. Until the API's cloud list has loaded, the default
 * profiles stand in.
 */
export function validateGraph(graph: Graph, clouds: readonly CloudProfile[]): Validation {
  const profiles = clouds.length > 0 ? [...clouds] : defaultCloudProfiles;
  let problems: Problem[];
  let ir: WorkflowIR | undefined;
  let placement: Record<string, string> | undefined;
  try {
    if (graph.nodes.some((n) => n.cloud === 'auto'))
      placement = planInBrowser(graph, profiles)?.placement;
    const result = compile(graph, { clouds: profiles, ...(placement ? { placement } : {}) });
    // Steps imported from Step Functions whose call is still a stub stay on the panel.
    problems = [...result.diagnostics, ...aslStubDiagnostics(graph)];
    ir = result.ir;
  } catch (error) {
    // A compiler bug must not take the designer down; the canvas checks below still run.
    problems = [
      {
        severity: 'error',
        code: 'WEB_COMPILER_CRASHED',
        message: `the compiler failed (${error instanceof Error ? error.message : String(error)}); report this graph`,
      },
      ...canvasChecks(graph, profiles),
    ];
  }
  if (graph.nodes.length === 0 && !problems.some((p) => p.severity === 'error')) {
    problems.push({
      severity: 'error',
      code: 'WEB_EMPTY_GRAPH',
      message: 'the workflow has no steps; drag a Task from the palette onto the canvas',
    });
  }
  return { ...summarize(problems, ir), placement };
}

/** What the canvas itself can get wrong; used only when the compiler cannot run. */
export function canvasChecks(graph: Graph, clouds: readonly CloudProfile[]): Problem[] {
  const problems: Problem[] = [];
  const names = new Set<string>();
  for (const node of graph.nodes) {
    if (names.has(node.name)) {
      problems.push({
        severity: 'error',
        code: 'WEB_DUPLICATE_NODE',
        message: `two nodes are named "${node.name}"; rename one`,
        node: node.name,
      });
    }
    names.add(node.name);
  }
  const cloudIds = new Set(clouds.map((c) => c.id));
  if (cloudIds.size > 0) {
    for (const node of graph.nodes) {
      for (const cloud of [node.cloud, ...node.failover]) {
        if (cloud !== 'auto' && !cloudIds.has(cloud)) {
          problems.push({
            severity: 'error',
            code: 'WEB_UNKNOWN_CLOUD',
            message: `node "${node.name}" uses cloud "${cloud}", which is not configured; pick one of ${[...cloudIds].join(', ')}`,
            node: node.name,
          });
        }
      }
    }
  }
  for (const edge of graph.edges) {
    for (const end of [edge.source, edge.target]) {
      if (!names.has(end)) {
        problems.push({
          severity: 'error',
          code: 'WEB_DANGLING_EDGE',
          message: `edge ${edge.id} points to node "${end}", which does not exist; delete the edge`,
          edge: edge.id,
        });
      }
    }
  }
  return problems;
}

export function summarize(problems: Problem[], ir?: WorkflowIR): Validation {
  const errorNodes = new Set<string>();
  const errorEdges = new Set<string>();
  for (const problem of problems) {
    if (problem.severity !== 'error') continue;
    if (problem.node !== undefined) errorNodes.add(problem.node);
    if (problem.edge !== undefined) errorEdges.add(problem.edge);
  }
  return {
    problems,
    ir,
    errorNodes,
    errorEdges,
    hasErrors: problems.some((p) => p.severity === 'error'),
  };
}

/**
 * The step code checker's findings as problems: `WEB_STEP_SYNTAX_ERROR` or `WEB_STEP_TYPE_ERROR`,
 * naming the step (so it is marked red) and the line in its code.
 */
export function stepCodeProblems(found: readonly StepCodeDiagnostic[]): Problem[] {
  return found.map((d) => ({
    severity: 'error',
    code: d.kind === 'syntax' ? 'WEB_STEP_SYNTAX_ERROR' : 'WEB_STEP_TYPE_ERROR',
    message: `line ${d.line}, column ${d.column}: ${d.message} (TS${d.tsCode}); fix the code of step "${d.node}"`,
    node: d.node,
    line: d.line,
  }));
}

/** The graph's validation with the problems of the step code added, like graph errors. */
export function withCodeProblems(validation: Validation, code: readonly Problem[]): Validation {
  if (code.length === 0) return validation;
  return {
    ...summarize([...validation.problems, ...code], validation.ir),
    placement: validation.placement,
  };
}
