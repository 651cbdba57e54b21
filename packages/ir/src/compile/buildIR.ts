import { sortKeys } from '../canonicalJson';
import { type Graph, type GraphNode, triggerFansOut } from '../graph';
import type { FunctionIR, WorkflowIR } from '../ir';
import { irVersion } from '../irVersion';
import { type CloudPlacement, joinStore, storeOf } from './cloudPlacement';
import { buildContinuation, linkMapSuccessors } from './continuations';
import type { DiagnosticLog } from './diagnosticLog';
import { type GraphIndex, inOf, outOf } from './graphIndex';
import type { JoinSlots } from './joins';
import type { Loops } from './loops';
import { runsCode } from './nodeKinds';
import type { Scopes } from './scopes';

/** What the passes before found: everything the IR is built from. */
export interface AnalyzedGraph {
  graph: Graph;
  start: string;
  index: GraphIndex;
  clouds: CloudPlacement;
  loops: Loops;
  scopes: Scopes;
  slots: JoinSlots;
  log: DiagnosticLog;
}

/**
 * Last pass: one config per function (its own settings and continuations), sorted by name, with
 * the IR version over the rest. Reports a notBefore on an edge that cannot wait.
 */
export function buildIR(p: AnalyzedGraph): WorkflowIR {
  const functions: Record<string, FunctionIR> = {};
  for (const name of [...p.index.nodeOrder].sort()) {
    const node = p.index.nodes.get(name);
    if (node === undefined) continue;
    functions[name] = buildFunction(p, node);
  }
  const withoutVersion = {
    format: 1 as const,
    workflow: p.graph.name,
    start: p.start,
    resultStore: storeOf(p.clouds, p.clouds.cloudOf.get(p.start) ?? ''),
    functions: linkMapSuccessors(functions),
  };
  const ir: WorkflowIR = { ...withoutVersion, version: irVersion(withoutVersion) };
  return sortKeys(ir);
}

function buildFunction(p: AnalyzedGraph, node: GraphNode): FunctionIR {
  const cloud = p.clouds.cloudOf.get(node.name) ?? '';
  let out = outOf(p.index, node.name);
  if (node.kind === 'choice') {
    // The default (unguarded) branch goes last so "first whose guard holds" is the whole rule.
    out = [
      ...out.filter((e) => e.guard !== undefined),
      ...out.filter((e) => e.guard === undefined),
    ];
  } else if (node.kind === 'loop') {
    const info = p.loops.loops.get(node.name);
    if (info !== undefined) out = [info.backEdge, info.exitEdge];
  }
  const continuations = out.map((edge) => buildContinuation(p, node, edge));
  const common = {
    name: node.name,
    cloud,
    failover: [...new Set(node.failover)],
    homeStore: storeOf(p.clouds, cloud),
    memoryMb: node.memoryMb,
    timeoutMs: node.timeoutMs,
    retries: node.retries,
    functionClass: node.functionClass,
    expensive: node.expensive,
    code: runsCode(node) ? node.code : '',
    routing: node.kind === 'choice' || node.kind === 'loop' ? ('first' as const) : ('all' as const),
    continuations,
    // Emitting into a time window does not keep the producer's execution going: the window's
    // run is an execution of its own.
    terminal: continuations.every((c) => c.trigger?.spec.type === 'window'),
    ...(node.estimatedMs === undefined ? {} : { estimatedMs: node.estimatedMs }),
  };
  switch (node.kind) {
    case 'task':
      return { ...common, kind: 'task' };
    case 'map':
      return {
        ...common,
        kind: 'map',
        items: node.items,
        maxItems: node.maxItems,
        ...(node.maxConcurrency === undefined ? {} : { maxConcurrency: node.maxConcurrency }),
      };
    case 'join': {
      const fanOut = p.index.nodes.get(node.fanOut);
      const incoming = inOf(p.index, node.name);
      return {
        ...common,
        kind: 'join',
        fanOut: node.fanOut,
        collect: fanOut?.kind === 'choice' ? 'taken' : 'array',
        store: joinStore(p.clouds, node.name, incoming),
      };
    }
    case 'choice':
      return { ...common, kind: 'choice' };
    case 'loop':
      return { ...common, kind: 'loop', maxIterations: node.maxIterations };
    case 'trigger':
      return {
        ...common,
        kind: 'trigger',
        trigger: node.trigger,
        store: joinStore(p.clouds, node.name, inOf(p.index, node.name)),
        ...(node.fanOut === undefined ? {} : { fanOut: node.fanOut }),
        fansOut: triggerFansOut(node.trigger),
      };
  }
}
