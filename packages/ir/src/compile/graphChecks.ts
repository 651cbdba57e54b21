import { jsonataProblem } from '../expressions';
import { type Graph, type GraphNode, runnableTriggerKinds, triggerFansOut } from '../graph';
import { type CloudPlacement, inlineLimit } from './cloudPlacement';
import { type DiagnosticLog, type DiagnosticSite, quoteList } from './diagnosticLog';
import { type GraphIndex, inOf, outOf } from './graphIndex';
import { runsCode } from './nodeKinds';

const HANDLER_EXPORT = /export\s+(async\s+)?function\s+handler\b|export\s+(const|let)\s+handler\b/;

/** Validation pass: every node's code, map expression and trigger parameters. */
export function checkNodes(index: GraphIndex, log: DiagnosticLog): void {
  for (const [name, node] of index.nodes) {
    const code = node.code.trim();
    if (node.kind === 'task' && code === '') {
      log.error(
        'IR_MISSING_CODE',
        `task "${name}" has no code; write a handler: export async function handler(input, ctx) { ... }`,
        { node: name },
      );
    } else if (runsCode(node) && code !== '' && !HANDLER_EXPORT.test(code)) {
      log.error(
        'IR_MISSING_HANDLER',
        `the code of "${name}" does not export a function named handler; add: export async function handler(input, ctx) { ... }`,
        { node: name },
      );
    } else if (!runsCode(node) && code !== '') {
      log.warn(
        'IR_CODE_IGNORED',
        `a ${node.kind} node runs no code; the code of "${name}" is ignored, move it into a task`,
        { node: name },
      );
    }
    if (node.kind === 'map') checkExpression(log, node.items, 'items expression', { node: name });
    if (node.kind === 'trigger') checkTrigger(index, log, name, node);
  }
}

/** A trigger's parameters, its producers and where its runs go. */
function checkTrigger(
  index: GraphIndex,
  log: DiagnosticLog,
  name: string,
  node: Extract<GraphNode, { kind: 'trigger' }>,
): void {
  const kind = node.trigger.type;
  if (!runnableTriggerKinds.includes(kind)) {
    // An error, not a warning: a graph with it could be deployed and then never finish.
    log.error(
      'IR_TRIGGER_UNSUPPORTED',
      `trigger "${name}" is a ${kind} trigger, which does not run yet; use one of ${runnableTriggerKinds.join(', ')}`,
      { node: name },
    );
  }
  const problem = triggerProblem(node);
  if (problem !== undefined) {
    log.error('IR_TRIGGER_PARAMS', `trigger "${name}": ${problem}`, { node: name });
  }
  if (kind === 'window' && node.fanOut !== undefined) {
    log.error(
      'IR_TRIGGER_WINDOW_SCOPE',
      `time window "${name}" collects map "${node.fanOut}"; a window collects across executions from top-level steps only, so clear its fanOut and put the window after the map's join`,
      { node: name },
    );
  }
  const incoming = inOf(index, name);
  for (const edge of incoming) {
    const source = index.nodes.get(edge.source);
    if (source !== undefined && !runsCode(source)) {
      log.error(
        'IR_TRIGGER_PRODUCER',
        `edge ${edge.id} feeds trigger "${name}" from ${source.kind} "${source.name}", which emits no objects; put a task between them`,
        { node: name, edge: edge.id },
      );
    }
  }
  if (kind === 'immediate' && incoming.length > 1) {
    log.error(
      'IR_TRIGGER_PRODUCER',
      `immediate trigger "${name}" has ${incoming.length} producers; it takes one (its runs are numbered by that producer's objects). Give each producer its own trigger`,
      { node: name },
    );
  }
  const out = outOf(index, name);
  if (triggerFansOut(node.trigger) && out.length !== 1) {
    log.error(
      'IR_TRIGGER_SUCCESSORS',
      `${kind} trigger "${name}" fires several runs, like a map; it needs exactly one outgoing edge, to a step whose branches end in a join with fanOut "${name}"`,
      { node: name },
    );
  }
}

function checkExpression(
  log: DiagnosticLog,
  expression: string,
  what: string,
  at: DiagnosticSite,
): void {
  const problem = jsonataProblem(expression);
  if (problem !== undefined) {
    const where = at.edge !== undefined ? `edge ${at.edge}` : `node "${at.node}"`;
    log.error(
      'IR_INVALID_JSONATA',
      `the ${what} of ${where} is not valid JSONata (${problem}): "${expression}"; fix the expression`,
      at,
    );
  }
}

/** Validation pass: every edge's guard, mapping and notBefore expressions, and where guards may be. */
export function checkEdges(index: GraphIndex, log: DiagnosticLog): void {
  for (const edge of index.edges) {
    const source = index.nodes.get(edge.source);
    if (edge.guard !== undefined) {
      checkExpression(log, edge.guard, 'guard', { edge: edge.id });
      if (source !== undefined && source.kind !== 'choice' && source.kind !== 'loop') {
        log.error(
          'IR_GUARD_NOT_ALLOWED',
          `edge ${edge.id} leaves ${source.kind} "${source.name}" with a guard; only edges out of a choice or a loop node carry guards. Put a choice node after "${source.name}" or remove the guard`,
          { edge: edge.id },
        );
      }
    }
    if (edge.mapping !== undefined)
      checkExpression(log, edge.mapping, 'mapping', { edge: edge.id });
    if (edge.notBefore !== undefined)
      checkExpression(log, edge.notBefore, 'notBefore', { edge: edge.id });
  }
}

/** Validation pass: the one node without an incoming edge, or undefined after reporting why not. */
export function findStart(index: GraphIndex, log: DiagnosticLog): string | undefined {
  const starts = index.nodeOrder.filter((name) => inOf(index, name).length === 0);
  if (starts.length === 0) {
    log.error(
      'IR_NO_START',
      index.nodeOrder.length === 0
        ? 'the graph has no nodes; add a task'
        : 'every node has an incoming edge, so nothing can receive the execution input; the first node must have no incoming edge (a loop needs a step before it)',
    );
    return undefined;
  }
  if (starts.length > 1) {
    for (const name of starts.slice(1)) {
      log.error(
        'IR_MULTIPLE_STARTS',
        `${quoteList(starts)} have no incoming edge, but a workflow has exactly one start; connect "${name}" after another node or delete it`,
        { node: name },
      );
    }
    return undefined;
  }
  return starts[0];
}

/** The sample input against what may travel inline to the start node. */
export function checkSampleInput(
  graph: Graph,
  index: GraphIndex,
  clouds: CloudPlacement,
  start: string,
  log: DiagnosticLog,
): void {
  if (graph.sampleInput === undefined) return;
  const node = index.nodes.get(start);
  const bytes = new TextEncoder().encode(JSON.stringify(graph.sampleInput) ?? '').length;
  const limit = inlineLimit(index, clouds, start);
  if (node?.transfer === 'inline' && bytes > limit) {
    log.error(
      'IR_PAYLOAD_TOO_LARGE',
      `the sample input is ${bytes} bytes, more than the ${limit} bytes that travel inline to "${start}" on ${quoteList([clouds.cloudOf.get(start) ?? '', ...node.failover])}; set its transfer to "auto" or "blob"`,
      { node: start },
    );
  }
}

function triggerProblem(node: Extract<GraphNode, { kind: 'trigger' }>): string | undefined {
  const t = node.trigger;
  switch (t.type) {
    case 'immediate':
    case 'by-name':
    case 'group':
      return undefined;
    case 'batch':
      return t.size < 1 || t.size > 10_000 ? `batch size is ${t.size}; use 1 to 10000` : undefined;
    case 'window':
      return t.windowMs < 1 || t.windowMs > 3_600_000
        ? `windowMs is ${t.windowMs}; use 1 to 3600000`
        : undefined;
    case 'k-of-n':
      if (t.n < 1 || t.k < 1 || t.k > t.n) return `k-of-n is ${t.k}-of-${t.n}; use 1 <= k <= n`;
      return t.k > 64 ? `k is ${t.k}; at most 64 winners` : undefined;
    case 'set':
      if (t.keys.length === 0) return 'a set trigger needs at least one key';
      if (t.keys.length > 1_000) return `the set lists ${t.keys.length} keys; at most 1000`;
      return new Set(t.keys).size !== t.keys.length
        ? 'the set trigger lists a key twice; list each once'
        : undefined;
  }
}
