import type { CloudProfile } from './cloudProfile';
import { buildIR } from './compile/buildIR';
import { placeOnClouds } from './compile/cloudPlacement';
import { DiagnosticLog } from './compile/diagnosticLog';
import { pairFanOuts } from './compile/fanOuts';
import { analyzeFlow } from './compile/flow';
import { checkEdges, checkNodes, checkSampleInput, findStart } from './compile/graphChecks';
import { indexGraph } from './compile/graphIndex';
import { parseGraph, readOptions } from './compile/input';
import { assignJoinSlots } from './compile/joins';
import { findLoops } from './compile/loops';
import { assignScopes } from './compile/scopes';
import type { Diagnostic } from './diagnostic';
import type { WorkflowIR } from './ir';

export interface CompileOptions {
  /** The clouds nodes may be placed on; the first is the fallback for `auto` nodes. */
  clouds: CloudProfile[];
  /** Cloud per node name for nodes whose cloud is `auto` (the planner's output). */
  placement?: Record<string, string>;
}

export interface CompileResult {
  /** Present exactly when no diagnostic is an error. */
  ir?: WorkflowIR;
  diagnostics: Diagnostic[];
}

/**
 * Compiles a graph into the IR: one config per function holding only its own continuations,
 * plus diagnostics. Pure and total: garbage in gives diagnostics out, never an exception.
 * See packages/ir/README.md for what every IR field means to the runtime.
 *
 * @example
 * const { ir, diagnostics } = compile(JSON.parse(text), { clouds: defaultCloudProfiles });
 * if (!ir) for (const d of diagnostics) console.error(formatDiagnostic(d));
 */
export function compile(graph: unknown, options: CompileOptions): CompileResult {
  try {
    return runPasses(graph, options);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'IR_INTERNAL',
          message: `the compiler failed unexpectedly (${detail}); please report it with the graph that caused it`,
        },
      ],
    };
  }
}

/**
 * The passes in order (packages/ir/src/compile/*), each taking what the ones before found. All
 * report into one diagnostic log; the compilation stops after a pass whose errors would make
 * the next one meaningless.
 */
function runPasses(input: unknown, options: CompileOptions): CompileResult {
  const log = new DiagnosticLog();
  const choices = readOptions(options, log);
  if (choices === undefined) return result(log);
  const graph = parseGraph(input, log);
  if (graph === undefined) return result(log);

  const index = indexGraph(graph, log);
  const clouds = placeOnClouds(index, choices, log);
  checkNodes(index, log);
  checkEdges(index, log);
  const start = findStart(index, log);
  if (start === undefined) return result(log);

  const flow = analyzeFlow(index, start, log);
  if (flow === undefined) return result(log);
  const joinOfFanOut = pairFanOuts(index, log);
  const loops = findLoops(index, flow, log);
  if (log.errorCount() > 0) return result(log);

  const scopes = assignScopes(index, flow, loops, joinOfFanOut, start, log);
  if (log.errorCount() > 0) return result(log);
  const slots = assignJoinSlots(index, flow, clouds, joinOfFanOut, scopes, log);
  checkSampleInput(graph, index, clouds, start, log);
  if (log.errorCount() > 0) return result(log);

  return result(log, buildIR({ graph, start, index, clouds, loops, scopes, slots, log }));
}

function result(log: DiagnosticLog, ir?: WorkflowIR): CompileResult {
  const diagnostics = log.list();
  return ir === undefined || log.errorCount() > 0 ? { diagnostics } : { ir, diagnostics };
}
