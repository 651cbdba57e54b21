import { readAslStepSpec, TASK_STUB } from './aslStepCode';
import type { Diagnostic } from './diagnostic';
import type { Graph } from './graph';

/**
 * One ASL_TASK_STUB warning per step imported from a Step Functions Task whose call is still the
 * pass-through stub. The importer reports these once; this finds them again in a saved graph so
 * the designer's Problems panel keeps showing them until the call is written.
 *
 * @example
 * const problems = [...compile(graph, options).diagnostics, ...aslStubDiagnostics(graph)];
 */
export function aslStubDiagnostics(graph: Pick<Graph, 'nodes'>): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const node of graph.nodes) {
    if (node.kind !== 'task' || !node.code.includes(TASK_STUB)) continue;
    const spec = readAslStepSpec(node.code);
    if (spec?.kind !== 'task') continue;
    found.push({
      severity: 'warning',
      code: 'ASL_TASK_STUB',
      message: `step "${node.name}" was imported from Task state "${spec.state}", which called ${spec.resource === '' ? 'no Resource' : `"${spec.resource}"`}; it passes its input through until you write that call in callResource in its code`,
      node: node.name,
    });
  }
  return found;
}
