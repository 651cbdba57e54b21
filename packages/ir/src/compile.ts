import { z } from 'zod';
import { sortKeys } from './canonicalJson';
import { type CloudProfile, cloudProfileSchema, ENVELOPE_RESERVE_BYTES } from './cloudProfile';
import { analyzeControlFlow, type ControlFlow } from './controlFlow';
import type { Diagnostic } from './diagnostic';
import { jsonataProblem } from './expressions';
import {
  type Graph,
  type GraphEdge,
  type GraphNode,
  graphSchema,
  runnableTriggerKinds,
  triggerFansOut,
} from './graph';
import type {
  Continuation,
  ContinuationMode,
  FunctionIR,
  JoinTarget,
  ScopeOp,
  TriggerTarget,
  WorkflowIR,
} from './ir';
import { irVersion } from './irVersion';

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
    return new Compilation(options).run(graph);
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

const optionsSchema = z.object({
  clouds: z.array(cloudProfileSchema),
  placement: z.record(z.string(), z.string()).optional(),
});

type ScopeFrame = { kind: 'map' | 'loop'; name: string };

interface LoopInfo {
  loop: string;
  header: string;
  body: Set<string>;
  backEdge: GraphEdge;
  exitEdge: GraphEdge;
}

const HANDLER_EXPORT = /export\s+(async\s+)?function\s+handler\b|export\s+(const|let)\s+handler\b/;

class Compilation {
  private readonly diagnostics: Diagnostic[] = [];
  private clouds = new Map<string, CloudProfile>();
  private placement: Record<string, string> = {};
  private fallbackCloud: string | undefined;

  private nodes = new Map<string, GraphNode>();
  private nodeOrder: string[] = [];
  private edges: GraphEdge[] = [];
  private outEdges = new Map<string, GraphEdge[]>();
  private inEdges = new Map<string, GraphEdge[]>();
  private cloudOf = new Map<string, string>();
  private joinOfFanOut = new Map<string, string>();
  private loops = new Map<string, LoopInfo>();
  private headerOwner = new Map<string, string>();
  private scopes = new Map<string, ScopeFrame[]>();
  private scopeOps = new Map<string, ScopeOp>();
  private joinTargets = new Map<string, JoinTarget>();
  private skipTargets = new Map<string, JoinTarget[]>();
  private triggerTargets = new Map<string, TriggerTarget>();

  constructor(private readonly rawOptions: CompileOptions) {}

  private report(
    severity: Diagnostic['severity'],
    code: string,
    message: string,
    at: { node?: string; edge?: string } = {},
  ): void {
    const diagnostic: Diagnostic = { severity, code, message };
    if (at.node !== undefined) diagnostic.node = at.node;
    if (at.edge !== undefined) diagnostic.edge = at.edge;
    this.diagnostics.push(diagnostic);
  }

  private error(code: string, message: string, at?: { node?: string; edge?: string }): void {
    this.report('error', code, message, at);
  }

  private warn(code: string, message: string, at?: { node?: string; edge?: string }): void {
    this.report('warning', code, message, at);
  }

  private errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }

  run(input: unknown): CompileResult {
    const options = optionsSchema.safeParse(this.rawOptions);
    if (!options.success) {
      this.error(
        'IR_INVALID_CLOUDS',
        `the cloud profiles passed to the compiler are invalid (${z.prettifyError(options.error)}); fix the profile files`,
      );
      return this.result();
    }
    for (const profile of options.data.clouds) this.clouds.set(profile.id, profile);
    this.placement = options.data.placement ?? {};
    this.fallbackCloud = options.data.clouds[0]?.id;
    if (this.fallbackCloud === undefined) {
      this.error('IR_NO_CLOUDS', 'no cloud profiles were given; pass at least one cloud profile');
    }

    const parsed = graphSchema.safeParse(input);
    if (!parsed.success) {
      this.reportSchemaIssues(input, parsed.error);
      return this.result();
    }
    const graph = parsed.data;

    this.indexGraph(graph);
    this.resolveClouds();
    this.checkNodes();
    this.checkEdges();
    const start = this.findStart();
    if (start === undefined) return this.result();

    const flow = analyzeControlFlow(this.nodeOrder, this.edges, start);
    for (const name of this.nodeOrder) {
      if (!flow.reachable.has(name)) {
        this.error(
          'IR_UNREACHABLE_NODE',
          `node "${name}" cannot be reached from the start node "${start}"; connect it or delete it`,
          { node: name },
        );
      }
    }
    if (flow.order === undefined) {
      this.error(
        'IR_UNGUARDED_CYCLE',
        `the cycle through ${quoteList(flow.tangled)} can be entered at more than one node; a cycle must be entered at one node and closed by a loop node's guarded back edge`,
        { node: flow.tangled[0] },
      );
      return this.result();
    }
    this.checkFanOuts();
    this.findLoops(flow);
    if (this.errorCount() > 0) return this.result();

    this.assignScopes(flow, flow.order, start);
    if (this.errorCount() > 0) return this.result();
    this.assignJoins(flow);
    this.assignTriggers();
    this.checkPayload(graph, start);
    if (this.errorCount() > 0) return this.result();

    return this.result(this.buildIR(graph, start));
  }

  private result(ir?: WorkflowIR): CompileResult {
    const diagnostics = this.diagnostics.map((d) => sortKeys(d));
    return ir === undefined || this.errorCount() > 0 ? { diagnostics } : { ir, diagnostics };
  }

  private reportSchemaIssues(input: unknown, error: z.ZodError): void {
    for (const issue of error.issues.slice(0, 50)) {
      const path = issue.path.map(String).join('.');
      const at: { node?: string; edge?: string } = {};
      const [collection, index] = issue.path;
      if (typeof index === 'number' && (collection === 'nodes' || collection === 'edges')) {
        const item = readIndex(readKey(input, collection), index);
        const label = readKey(item, collection === 'nodes' ? 'name' : 'id');
        if (typeof label === 'string') {
          if (collection === 'nodes') at.node = label;
          else at.edge = label;
        }
      }
      this.error(
        'IR_INVALID_GRAPH',
        `${path === '' ? 'the graph' : path}: ${issue.message}; fix this field of the graph document`,
        at,
      );
    }
  }

  private indexGraph(graph: Graph): void {
    for (const node of graph.nodes) {
      if (this.nodes.has(node.name)) {
        this.error(
          'IR_DUPLICATE_NAME',
          `two nodes are named "${node.name}"; node names must be unique, rename one`,
          { node: node.name },
        );
        continue;
      }
      this.nodes.set(node.name, node);
      this.nodeOrder.push(node.name);
      this.outEdges.set(node.name, []);
      this.inEdges.set(node.name, []);
    }
    const edgeIds = new Set<string>();
    for (const edge of graph.edges) {
      if (edgeIds.has(edge.id)) {
        this.error(
          'IR_DUPLICATE_EDGE_ID',
          `two edges have the id "${edge.id}"; edge ids must be unique, rename one`,
          { edge: edge.id },
        );
        continue;
      }
      edgeIds.add(edge.id);
      const missing = [edge.source, edge.target].filter((n) => !this.nodes.has(n));
      if (missing.length > 0) {
        this.error(
          'IR_DANGLING_EDGE',
          `edge ${edge.id} points to ${quoteList(missing)}, which does not exist; reconnect or delete the edge`,
          { edge: edge.id },
        );
        continue;
      }
      this.edges.push(edge);
      this.outEdges.get(edge.source)?.push(edge);
      this.inEdges.get(edge.target)?.push(edge);
    }
  }

  private resolveClouds(): void {
    const defaulted: string[] = [];
    const known = [...this.clouds.keys()].join(', ');
    for (const [name, node] of this.nodes) {
      let cloud = node.cloud;
      if (cloud === 'auto') {
        const placed = this.placement[name];
        if (placed !== undefined) cloud = placed;
        else if (this.fallbackCloud !== undefined) {
          cloud = this.fallbackCloud;
          defaulted.push(name);
        }
      }
      if (cloud === 'auto') continue; // no clouds at all: reported once already
      this.cloudOf.set(name, cloud);
      const profile = this.clouds.get(cloud);
      if (profile === undefined) {
        this.error(
          'IR_UNKNOWN_CLOUD',
          `node "${name}" is placed on cloud "${cloud}", which no cloud profile defines; use one of: ${known}`,
          { node: name },
        );
      }
      const seen = new Set<string>();
      for (const failover of node.failover) {
        if (failover === cloud) {
          this.error(
            'IR_FAILOVER_IS_PRIMARY',
            `node "${name}" lists its primary cloud "${cloud}" as a failover; a replica must run on another cloud, remove it`,
            { node: name },
          );
        } else if (!this.clouds.has(failover)) {
          this.error(
            'IR_UNKNOWN_CLOUD',
            `node "${name}" fails over to cloud "${failover}", which no cloud profile defines; use one of: ${known}`,
            { node: name },
          );
        } else if (seen.has(failover)) {
          this.warn(
            'IR_DUPLICATE_FAILOVER',
            `node "${name}" lists failover cloud "${failover}" twice; the second is ignored`,
            { node: name },
          );
        }
        seen.add(failover);
      }
      for (const id of [cloud, ...new Set(node.failover)]) {
        const limits = this.clouds.get(id)?.limits;
        if (limits === undefined) continue;
        if (node.memoryMb > limits.maxMemoryMb) {
          this.error(
            'IR_LIMIT_EXCEEDED',
            `node "${name}" asks for ${node.memoryMb} MB but cloud "${id}" allows at most ${limits.maxMemoryMb} MB; lower memoryMb or place it elsewhere`,
            { node: name },
          );
        }
        if (node.timeoutMs > limits.maxTimeoutMs) {
          this.error(
            'IR_LIMIT_EXCEEDED',
            `node "${name}" has a ${node.timeoutMs} ms timeout but cloud "${id}" allows at most ${limits.maxTimeoutMs} ms; lower timeoutMs or place it elsewhere`,
            { node: name },
          );
        }
      }
    }
    for (const [name, cloud] of Object.entries(this.placement)) {
      const pinned = this.nodes.get(name)?.cloud;
      if (pinned !== undefined && pinned !== 'auto' && pinned !== cloud) {
        this.warn(
          'IR_PLACEMENT_IGNORED',
          `the placement of "${name}" on "${cloud}" is ignored because the node is pinned to "${pinned}"; set its cloud to "auto" to let the planner move it`,
          { node: name },
        );
      }
    }
    if (defaulted.length > 0 && this.fallbackCloud !== undefined) {
      this.warn(
        'IR_AUTO_CLOUD',
        `${quoteList(defaulted)} ${defaulted.length === 1 ? 'has' : 'have'} cloud "auto" and no placement; placed on "${this.fallbackCloud}", the first cloud profile. Run the planner or pick a cloud`,
        { node: defaulted[0] },
      );
    }
  }

  private checkNodes(): void {
    for (const [name, node] of this.nodes) {
      const code = node.code.trim();
      if (node.kind === 'task' && code === '') {
        this.error(
          'IR_MISSING_CODE',
          `task "${name}" has no code; write a handler: export async function handler(input, ctx) { ... }`,
          { node: name },
        );
      } else if (runsCode(node) && code !== '' && !HANDLER_EXPORT.test(code)) {
        this.error(
          'IR_MISSING_HANDLER',
          `the code of "${name}" does not export a function named handler; add: export async function handler(input, ctx) { ... }`,
          { node: name },
        );
      } else if (!runsCode(node) && code !== '') {
        this.warn(
          'IR_CODE_IGNORED',
          `a ${node.kind} node runs no code; the code of "${name}" is ignored, move it into a task`,
          { node: name },
        );
      }
      if (node.kind === 'map') this.checkExpression(node.items, 'items expression', { node: name });
      if (node.kind === 'trigger') this.checkTrigger(name, node);
    }
  }

  /** A trigger's parameters, its producers and where its runs go. */
  private checkTrigger(name: string, node: Extract<GraphNode, { kind: 'trigger' }>): void {
    const kind = node.trigger.type;
    if (!runnableTriggerKinds.includes(kind)) {
      // An error, not a warning: a graph with it could be deployed and then never finish.
      this.error(
        'IR_TRIGGER_UNSUPPORTED',
        `trigger "${name}" is a ${kind} trigger, which does not run yet; use one of ${runnableTriggerKinds.join(', ')}`,
        { node: name },
      );
    }
    const problem = triggerProblem(node);
    if (problem !== undefined) {
      this.error('IR_TRIGGER_PARAMS', `trigger "${name}": ${problem}`, { node: name });
    }
    if (kind === 'window' && node.fanOut !== undefined) {
      this.error(
        'IR_TRIGGER_WINDOW_SCOPE',
        `time window "${name}" collects map "${node.fanOut}"; a window collects across executions from top-level steps only, so clear its fanOut and put the window after the map's join`,
        { node: name },
      );
    }
    const incoming = this.inEdges.get(name) ?? [];
    for (const edge of incoming) {
      const source = this.nodes.get(edge.source);
      if (source !== undefined && !runsCode(source)) {
        this.error(
          'IR_TRIGGER_PRODUCER',
          `edge ${edge.id} feeds trigger "${name}" from ${source.kind} "${source.name}", which emits no objects; put a task between them`,
          { node: name, edge: edge.id },
        );
      }
    }
    if (kind === 'immediate' && incoming.length > 1) {
      this.error(
        'IR_TRIGGER_PRODUCER',
        `immediate trigger "${name}" has ${incoming.length} producers; it takes one (its runs are numbered by that producer's objects). Give each producer its own trigger`,
        { node: name },
      );
    }
    const out = this.outEdges.get(name) ?? [];
    if (triggerFansOut(node.trigger) && out.length !== 1) {
      this.error(
        'IR_TRIGGER_SUCCESSORS',
        `${kind} trigger "${name}" fires several runs, like a map; it needs exactly one outgoing edge, to a step whose branches end in a join with fanOut "${name}"`,
        { node: name },
      );
    }
  }

  private checkExpression(
    expression: string,
    what: string,
    at: { node?: string; edge?: string },
  ): void {
    const problem = jsonataProblem(expression);
    if (problem !== undefined) {
      const where = at.edge !== undefined ? `edge ${at.edge}` : `node "${at.node}"`;
      this.error(
        'IR_INVALID_JSONATA',
        `the ${what} of ${where} is not valid JSONata (${problem}): "${expression}"; fix the expression`,
        at,
      );
    }
  }

  private checkEdges(): void {
    for (const edge of this.edges) {
      const source = this.nodes.get(edge.source);
      if (edge.guard !== undefined) {
        this.checkExpression(edge.guard, 'guard', { edge: edge.id });
        if (source !== undefined && source.kind !== 'choice' && source.kind !== 'loop') {
          this.error(
            'IR_GUARD_NOT_ALLOWED',
            `edge ${edge.id} leaves ${source.kind} "${source.name}" with a guard; only edges out of a choice or a loop node carry guards. Put a choice node after "${source.name}" or remove the guard`,
            { edge: edge.id },
          );
        }
      }
      if (edge.mapping !== undefined)
        this.checkExpression(edge.mapping, 'mapping', { edge: edge.id });
      if (edge.notBefore !== undefined)
        this.checkExpression(edge.notBefore, 'notBefore', { edge: edge.id });
    }
  }

  private findStart(): string | undefined {
    const starts = this.nodeOrder.filter((name) => (this.inEdges.get(name) ?? []).length === 0);
    if (starts.length === 0) {
      this.error(
        'IR_NO_START',
        this.nodeOrder.length === 0
          ? 'the graph has no nodes; add a task'
          : 'every node has an incoming edge, so nothing can receive the execution input; the first node must have no incoming edge (a loop needs a step before it)',
      );
      return undefined;
    }
    if (starts.length > 1) {
      for (const name of starts.slice(1)) {
        this.error(
          'IR_MULTIPLE_STARTS',
          `${quoteList(starts)} have no incoming edge, but a workflow has exactly one start; connect "${name}" after another node or delete it`,
          { node: name },
        );
      }
      return undefined;
    }
    return starts[0];
  }

  /** Maps, parallel fan-outs and choices against the joins that collect them. */
  private checkFanOuts(): void {
    for (const [name, node] of this.nodes) {
      if (node.kind !== 'trigger' || node.fanOut === undefined) continue;
      const fanOut = this.nodes.get(node.fanOut);
      const outCount = (this.outEdges.get(node.fanOut) ?? []).length;
      if (
        fanOut === undefined ||
        !(fanOut.kind === 'map' || (isParallelKind(fanOut) && outCount >= 2))
      ) {
        this.error(
          'IR_TRIGGER_FANOUT',
          `trigger "${name}" collects "${node.fanOut}", which is not a map or a step with several outgoing edges; set fanOut to the step whose branches feed it, or clear it`,
          { node: name },
        );
      } else {
        this.joinOfFanOut.set(node.fanOut, name);
      }
    }
    for (const [name, node] of this.nodes) {
      if (node.kind !== 'join') continue;
      const fanOut = this.nodes.get(node.fanOut);
      const outCount = (this.outEdges.get(node.fanOut) ?? []).length;
      if (fanOut === undefined) {
        this.error(
          'IR_JOIN_WITHOUT_FANOUT',
          `join "${name}" collects "${node.fanOut}", which does not exist; set fanOut to the map, choice or parallel step whose branches it collects`,
          { node: name },
        );
      } else if (
        !(
          fanOut.kind === 'map' ||
          fanOut.kind === 'choice' ||
          (fanOut.kind === 'trigger' && triggerFansOut(fanOut.trigger)) ||
          (isParallelKind(fanOut) && outCount >= 2)
        )
      ) {
        this.error(
          'IR_JOIN_WITHOUT_FANOUT',
          `join "${name}" collects "${node.fanOut}", which does not fan out (a ${fanOut.kind} with ${outCount} outgoing edge${outCount === 1 ? '' : 's'}); set fanOut to a map, a choice or a step with several outgoing edges`,
          { node: name },
        );
      } else if (this.joinOfFanOut.has(node.fanOut)) {
        this.error(
          'IR_DUPLICATE_JOIN',
          `"${this.joinOfFanOut.get(node.fanOut)}" and "${name}" both collect "${node.fanOut}"; one fan-out has one join (or one trigger), delete one`,
          { node: name },
        );
      } else {
        this.joinOfFanOut.set(node.fanOut, name);
      }
    }
    for (const [name, node] of this.nodes) {
      const out = this.outEdges.get(name) ?? [];
      if (node.kind === 'map') {
        const bound = node.maxConcurrency;
        if (bound !== undefined && !(Number.isSafeInteger(bound) && bound >= 1)) {
          this.error(
            'IR_MAP_MAX_CONCURRENCY',
            `map "${name}" has maxConcurrency ${bound}; it must be a whole number of at least 1 (the branches in flight at once), or left out to start every element at once`,
            { node: name },
          );
        }
        const collector = this.nodes.get(this.joinOfFanOut.get(name) ?? '');
        if (bound !== undefined && collector?.kind === 'trigger') {
          // Only a branch's fill of a join slot starts the next element: a trigger would wait
          // for elements nothing starts.
          this.error(
            'IR_MAP_MAX_CONCURRENCY',
            `map "${name}" has maxConcurrency but trigger "${collector.name}" collects its branches; a bounded map must end in a join, so clear maxConcurrency or collect the branches with a join`,
            { node: name },
          );
        }
        if (out.length !== 1) {
          this.error(
            'IR_MAP_SUCCESSORS',
            `map "${name}" has ${out.length} outgoing edges; it needs exactly one, to the step that runs once per element`,
            { node: name },
          );
        } else if (out[0]?.target === this.joinOfFanOut.get(name)) {
          this.error(
            'IR_MAP_EMPTY_BODY',
            `map "${name}" leads straight to its join; put the step to run per element between them`,
            { node: name },
          );
        }
        if (!this.joinOfFanOut.has(name)) {
          this.error(
            'IR_MAP_WITHOUT_JOIN',
            `map "${name}" has no join; add a join node with fanOut "${name}" where the per-element branches end`,
            { node: name },
          );
        }
      } else if (
        node.kind === 'trigger' &&
        triggerFansOut(node.trigger) &&
        out.length > 0 &&
        !this.joinOfFanOut.has(name)
      ) {
        this.error(
          'IR_TRIGGER_WITHOUT_JOIN',
          `${node.trigger.type} trigger "${name}" fires several runs but nothing collects them; add a join node with fanOut "${name}" where they end`,
          { node: name },
        );
      } else if (
        isParallelKind(node) &&
        out.length >= 2 &&
        !this.joinOfFanOut.has(name) &&
        // Objects routed by triggers (by name, say) need no join: each trigger decides alone.
        !out.every((e) => this.nodes.get(e.target)?.kind === 'trigger')
      ) {
        this.error(
          'IR_PARALLEL_WITHOUT_JOIN',
          `"${name}" starts ${out.length} parallel branches that never join; add a join node with fanOut "${name}" where they end`,
          { node: name },
        );
      } else if (node.kind === 'choice') {
        const defaults = out.filter((e) => e.guard === undefined);
        if (out.length === 0) {
          this.error(
            'IR_CHOICE_NO_BRANCHES',
            `choice "${name}" has no outgoing edge; add its branches`,
            {
              node: name,
            },
          );
        } else if (defaults.length > 1) {
          this.error(
            'IR_CHOICE_MULTIPLE_DEFAULTS',
            `choice "${name}" has ${defaults.length} edges without a guard; at most one may be the default, add guards to the others`,
            { node: name },
          );
        } else if (defaults.length === 0) {
          this.warn(
            'IR_CHOICE_NO_DEFAULT',
            `choice "${name}" has no default edge; when no guard holds the execution fails. Add an edge without a guard to handle that case`,
            { node: name },
          );
        }
      }
    }
  }

  private findLoops(flow: ControlFlow): void {
    const owners = new Map<string, string[]>();
    const claimed = new Set<string>();
    const innerBodies: Set<string>[] = [];
    for (const natural of flow.loops) {
      const ownerCandidates = [...natural.body].filter(
        (n) =>
          this.nodes.get(n)?.kind === 'loop' &&
          !innerBodies.some((inner) => inner.size < natural.body.size && inner.has(n)),
      );
      innerBodies.push(natural.body);
      const cycle = quoteList(this.inGraphOrder(natural.body));
      if (ownerCandidates.length === 0) {
        const closing = natural.closingEdges[0];
        this.error(
          'IR_UNGUARDED_CYCLE',
          `the cycle through ${cycle} has no loop node; route its back edge through a loop node with a guard (e.g. "$iteration < 10")`,
          { node: natural.header, edge: closing?.id },
        );
        continue;
      }
      if (ownerCandidates.length > 1) {
        this.error(
          'IR_LOOP_AMBIGUOUS',
          `the cycle through ${cycle} holds loop nodes ${quoteList(ownerCandidates)}; one cycle has one loop node, nest the others in their own cycles`,
          { node: ownerCandidates[1] },
        );
        continue;
      }
      const loop = ownerCandidates[0] ?? '';
      owners.set(loop, [...(owners.get(loop) ?? []), natural.header]);
      claimed.add(loop);
      const out = this.outEdges.get(loop) ?? [];
      const back = out.filter((e) => natural.body.has(e.target));
      const exits = out.filter((e) => !natural.body.has(e.target));
      const backEdge = back[0];
      const exitEdge = exits[0];
      if (
        back.length !== 1 ||
        exits.length !== 1 ||
        backEdge === undefined ||
        exitEdge === undefined
      ) {
        this.error(
          'IR_LOOP_EDGES',
          `loop "${loop}" has ${back.length} edge(s) back into its body and ${exits.length} exit edge(s); it needs exactly one of each`,
          { node: loop },
        );
        continue;
      }
      if (backEdge.guard === undefined) {
        this.error(
          'IR_UNGUARDED_CYCLE',
          `the back edge ${backEdge.id} of loop "${loop}" has no guard, so the loop never ends; add one, e.g. "$iteration < 10"`,
          { node: loop, edge: backEdge.id },
        );
      }
      if (exitEdge.guard !== undefined) {
        this.error(
          'IR_LOOP_EDGES',
          `the exit edge ${exitEdge.id} of loop "${loop}" has a guard; the exit is taken whenever the back edge's guard is false, remove it`,
          { node: loop, edge: exitEdge.id },
        );
      }
      for (const closing of natural.closingEdges) {
        if (closing.source !== loop && closing.target !== loop) {
          this.error(
            'IR_UNGUARDED_CYCLE',
            `edge ${closing.id} closes a cycle that skips loop node "${loop}"; route it through "${loop}"`,
            { edge: closing.id },
          );
        }
      }
      this.loops.set(loop, {
        loop,
        header: natural.header,
        body: natural.body,
        backEdge,
        exitEdge,
      });
      this.headerOwner.set(natural.header, loop);
    }
    for (const [loop, headers] of owners) {
      if (headers.length > 1) {
        this.error(
          'IR_LOOP_AMBIGUOUS',
          `loop node "${loop}" closes ${headers.length} cycles (entered at ${quoteList(headers)}); give each cycle its own loop node`,
          { node: loop },
        );
      }
    }
    for (const [name, node] of this.nodes) {
      if (node.kind === 'loop' && !claimed.has(name) && flow.reachable.has(name)) {
        this.error(
          'IR_LOOP_WITHOUT_BACK_EDGE',
          `loop "${name}" is not on a cycle; connect its guarded back edge to the first step of the loop body, or use a task`,
          { node: name },
        );
      }
    }
  }

  /** The scope stack of every node and the scope operation of every edge. */
  private assignScopes(flow: ControlFlow, order: string[], start: string): void {
    this.scopes.set(start, []);
    const backEdges = new Set([...this.loops.values()].map((l) => l.backEdge.id));
    const visit = (edge: GraphEdge): void => {
      const from = this.scopes.get(edge.source);
      if (from === undefined) return;
      const to = this.targetScope(edge, from);
      const existing = this.scopes.get(edge.target);
      if (existing === undefined) this.scopes.set(edge.target, to);
      else if (scopeText(existing) !== scopeText(to)) {
        this.error(
          'IR_SCOPE_CONFLICT',
          `node "${edge.target}" is reached inside ${describeScope(existing)} and, through edge ${edge.id}, inside ${describeScope(to)}; a branch leaves a map only through the map's join and a loop only through its loop node or a break, reconnect the edge`,
          { node: edge.target, edge: edge.id },
        );
        return;
      }
      if (backEdges.has(edge.id)) {
        this.scopeOps.set(edge.id, { op: 'bump-loop', loop: edge.source });
        return;
      }
      const target = this.nodes.get(edge.target);
      const collected =
        target?.kind === 'trigger' && triggerFansOut(target.trigger) ? to.slice(0, -1) : to;
      const op = scopeOp(from, collected);
      if (op === undefined) {
        this.error(
          'IR_SCOPE_TRANSITION',
          `edge ${edge.id} leaves ${describeScope(from)} and enters ${describeScope(to)} in one step; put a task between "${edge.source}" and "${edge.target}"`,
          { edge: edge.id },
        );
        return;
      }
      this.scopeOps.set(edge.id, op);
    };
    for (const name of order) {
      for (const edge of this.outEdges.get(name) ?? []) {
        if (!flow.closingEdgeIds.has(edge.id)) visit(edge);
      }
    }
    for (const edge of this.edges) if (flow.closingEdgeIds.has(edge.id)) visit(edge);

    for (const name of order) {
      const scope = this.scopes.get(name) ?? [];
      const innermostMap = [...scope].reverse().find((f) => f.kind === 'map');
      if ((this.outEdges.get(name) ?? []).length === 0 && innermostMap !== undefined) {
        this.error(
          'IR_BRANCH_NEVER_JOINS',
          `"${name}" ends a branch of map "${innermostMap.name}" without reaching its join; connect it to "${this.joinOfFanOut.get(innermostMap.name) ?? 'the join'}"`,
          { node: name },
        );
      }
    }
  }

  private targetScope(edge: GraphEdge, from: ScopeFrame[]): ScopeFrame[] {
    const source = this.nodes.get(edge.source);
    const target = edge.target;
    const to = [...from];
    if (source?.kind === 'map') to.push({ kind: 'map', name: source.name });
    for (;;) {
      const top = to[to.length - 1];
      if (top === undefined) break;
      if (top.kind === 'loop' && !this.loops.get(top.name)?.body.has(target)) to.pop();
      else if (top.kind === 'map' && this.joinOfFanOut.get(top.name) === target) to.pop();
      else break;
    }
    const owner = this.headerOwner.get(target);
    const ownerLoop = owner === undefined ? undefined : this.loops.get(owner);
    if (owner !== undefined && ownerLoop !== undefined && !ownerLoop.body.has(edge.source)) {
      to.push({ kind: 'loop', name: owner });
    }
    const node = this.nodes.get(target);
    if (node?.kind === 'trigger' && triggerFansOut(node.trigger)) {
      to.push({ kind: 'map', name: target });
    }
    return to;
  }

  /** Join targets of the edges entering joins, and skip targets of choice branches. */
  private assignJoins(flow: ControlFlow): void {
    for (const [fanOutName, joinName] of this.joinOfFanOut) {
      const fanOut = this.nodes.get(fanOutName);
      if (fanOut === undefined || !flow.reachable.has(joinName)) continue;
      if (this.nodes.get(joinName)?.kind === 'trigger') continue;
      const incoming = this.inEdges.get(joinName) ?? [];
      const store = this.joinStore(joinName, incoming);
      if (fanOut.kind === 'map' || fanOut.kind === 'trigger') {
        for (const edge of incoming) {
          const inside = (this.scopes.get(edge.source) ?? []).some(
            (f) => f.kind === 'map' && f.name === fanOutName,
          );
          if (!inside) {
            this.error(
              'IR_JOIN_BRANCH_MISMATCH',
              `edge ${edge.id} enters join "${joinName}" from outside the body of ${fanOut.kind} "${fanOutName}"; only its branches may enter its join`,
              { node: joinName, edge: edge.id },
            );
          }
          this.joinTargets.set(edge.id, {
            join: joinName,
            slot: { kind: 'map-index', map: fanOutName },
            store,
          });
        }
        continue;
      }
      const slotOf = this.matchBranches(fanOutName, joinName, flow);
      if (slotOf === undefined) continue;
      for (const [index, edge] of incoming.entries()) {
        this.joinTargets.set(edge.id, {
          join: joinName,
          slot: { kind: 'static', slot: index, size: incoming.length },
          store,
        });
      }
      if (fanOut.kind === 'choice') {
        for (const [branchId, slot] of slotOf) {
          this.skipTargets.set(branchId, [
            { join: joinName, slot: { kind: 'static', slot, size: incoming.length }, store },
          ]);
        }
      }
    }
  }

  /** Where each producer's objects go in the trigger it feeds. */
  private assignTriggers(): void {
    for (const [name, node] of this.nodes) {
      if (node.kind !== 'trigger') continue;
      if (node.trigger.type === 'window' && (this.scopes.get(name) ?? []).length > 0) {
        this.error(
          'IR_TRIGGER_WINDOW_SCOPE',
          `time window "${name}" sits inside ${describeScope(this.scopes.get(name) ?? [])}; a window collects across executions, so it takes objects at the top level only (set its fanOut to the map, or move it out of the loop)`,
          { node: name },
        );
      }
      const incoming = this.inEdges.get(name) ?? [];
      const store = this.joinStore(name, incoming);
      for (const [index, edge] of incoming.entries()) {
        this.triggerTargets.set(edge.id, {
          trigger: name,
          spec: node.trigger,
          store,
          slot:
            node.fanOut !== undefined && this.nodes.get(node.fanOut)?.kind === 'map'
              ? { kind: 'map-index', map: node.fanOut }
              : { kind: 'static', slot: index, size: incoming.length },
          fansOut: triggerFansOut(node.trigger),
        });
      }
    }
  }

  /**
   * Pairs each branch (outgoing edge) of a parallel step or choice with the one incoming edge of
   * its join that the branch ends in. Returns branch edge id -> slot, or undefined after
   * reporting why the branches and the join's inputs do not pair up one to one.
   */
  private matchBranches(
    fanOut: string,
    join: string,
    flow: ControlFlow,
  ): Map<string, number> | undefined {
    const incoming = this.inEdges.get(join) ?? [];
    const branches = this.outEdges.get(fanOut) ?? [];
    if (scopeText(this.scopes.get(fanOut) ?? []) !== scopeText(this.scopes.get(join) ?? [])) {
      this.error(
        'IR_JOIN_BRANCH_MISMATCH',
        `join "${join}" sits inside ${describeScope(this.scopes.get(join) ?? [])} but "${fanOut}" inside ${describeScope(this.scopes.get(fanOut) ?? [])}; a fan-out and its join belong in the same map or loop`,
        { node: join },
      );
      return undefined;
    }
    const slotOf = new Map<string, number>();
    const used = new Map<number, string>();
    for (const branch of branches) {
      const reached = this.reachedJoinInputs(branch, join, flow);
      const slot = reached[0];
      if (reached.length !== 1 || slot === undefined) {
        this.error(
          'IR_JOIN_BRANCH_MISMATCH',
          reached.length === 0
            ? `branch ${branch.id} of "${fanOut}" never reaches join "${join}"; connect it to the join`
            : `branch ${branch.id} of "${fanOut}" reaches join "${join}" through ${reached.length} edges; each branch must end in the join through exactly one edge (add a join for the inner fan-out)`,
          { node: join, edge: branch.id },
        );
        return undefined;
      }
      const other = used.get(slot);
      if (other !== undefined) {
        this.error(
          'IR_JOIN_BRANCH_MISMATCH',
          `branches ${other} and ${branch.id} of "${fanOut}" merge before join "${join}"; give each branch its own edge into the join`,
          { node: join, edge: branch.id },
        );
        return undefined;
      }
      used.set(slot, branch.id);
      slotOf.set(branch.id, slot);
    }
    if (incoming.length !== branches.length) {
      this.error(
        'IR_JOIN_BRANCH_MISMATCH',
        `join "${join}" has ${incoming.length} incoming edges but "${fanOut}" has ${branches.length} branches; every branch needs exactly one edge into the join and nothing else may enter it`,
        { node: join },
      );
      return undefined;
    }
    return slotOf;
  }

  /** Indexes (in the join's incoming order) of the join inputs a branch can reach. */
  private reachedJoinInputs(branch: GraphEdge, join: string, flow: ControlFlow): number[] {
    const incoming = this.inEdges.get(join) ?? [];
    if (branch.target === join) return [incoming.findIndex((e) => e.id === branch.id)];
    const seen = new Set<string>([branch.target]);
    const work = [branch.target];
    const reached = new Set<number>();
    while (work.length > 0) {
      const node = work.pop();
      if (node === undefined) break;
      for (const edge of this.outEdges.get(node) ?? []) {
        if (flow.closingEdgeIds.has(edge.id)) continue;
        if (edge.target === join) reached.add(incoming.findIndex((e) => e.id === edge.id));
        else if (!seen.has(edge.target)) {
          seen.add(edge.target);
          work.push(edge.target);
        }
      }
    }
    return [...reached].sort((a, b) => a - b);
  }

  /** The cloud hosting most of the join's branches; on a tie, the join's own cloud. */
  private joinStore(join: string, incoming: GraphEdge[]): string {
    const own = this.cloudOf.get(join) ?? '';
    const counts = new Map<string, number>();
    for (const edge of incoming) {
      const cloud = this.cloudOf.get(edge.source);
      if (cloud !== undefined) counts.set(cloud, (counts.get(cloud) ?? 0) + 1);
    }
    const best = Math.max(0, ...counts.values());
    const leaders = [...counts.entries()].filter(([, n]) => n === best).map(([c]) => c);
    return this.storeOf(leaders.length === 1 && leaders[0] !== undefined ? leaders[0] : own);
  }

  /** The cloud whose store holds the keys of functions on `cloud` (its profile's `store`). */
  private storeOf(cloud: string): string {
    return this.clouds.get(cloud)?.store ?? cloud;
  }

  private inlineLimit(name: string): number {
    const node = this.nodes.get(name);
    const clouds = [this.cloudOf.get(name) ?? '', ...(node?.failover ?? [])];
    const limits = clouds
      .map((c) => this.clouds.get(c)?.limits.asyncPayloadBytes)
      .filter((n): n is number => n !== undefined);
    return Math.max(0, Math.min(...limits) - ENVELOPE_RESERVE_BYTES);
  }

  private checkPayload(graph: Graph, start: string): void {
    if (graph.sampleInput === undefined) return;
    const node = this.nodes.get(start);
    const bytes = new TextEncoder().encode(JSON.stringify(graph.sampleInput) ?? '').length;
    const limit = this.inlineLimit(start);
    if (node?.transfer === 'inline' && bytes > limit) {
      this.error(
        'IR_PAYLOAD_TOO_LARGE',
        `the sample input is ${bytes} bytes, more than the ${limit} bytes that travel inline to "${start}" on ${quoteList([this.cloudOf.get(start) ?? '', ...node.failover])}; set its transfer to "auto" or "blob"`,
        { node: start },
      );
    }
  }

  private buildIR(graph: Graph, start: string): WorkflowIR {
    const functions: Record<string, FunctionIR> = {};
    for (const name of [...this.nodeOrder].sort()) {
      const node = this.nodes.get(name);
      if (node === undefined) continue;
      functions[name] = this.buildFunction(node);
    }
    linkMapSuccessors(functions);
    const withoutVersion = {
      format: 1 as const,
      workflow: graph.name,
      start,
      resultStore: this.storeOf(this.cloudOf.get(start) ?? ''),
      functions,
    };
    const ir: WorkflowIR = { ...withoutVersion, version: irVersion(withoutVersion) };
    return sortKeys(ir);
  }

  private buildFunction(node: GraphNode): FunctionIR {
    const cloud = this.cloudOf.get(node.name) ?? '';
    let out = this.outEdges.get(node.name) ?? [];
    if (node.kind === 'choice') {
      // The default (unguarded) branch goes last so "first whose guard holds" is the whole rule.
      out = [
        ...out.filter((e) => e.guard !== undefined),
        ...out.filter((e) => e.guard === undefined),
      ];
    } else if (node.kind === 'loop') {
      const info = this.loops.get(node.name);
      if (info !== undefined) out = [info.backEdge, info.exitEdge];
    }
    const continuations = out.map((edge) => this.buildContinuation(node, edge));
    const common = {
      name: node.name,
      cloud,
      failover: [...new Set(node.failover)],
      homeStore: this.storeOf(cloud),
      memoryMb: node.memoryMb,
      timeoutMs: node.timeoutMs,
      retries: node.retries,
      functionClass: node.functionClass,
      expensive: node.expensive,
      code: runsCode(node) ? node.code : '',
      routing:
        node.kind === 'choice' || node.kind === 'loop' ? ('first' as const) : ('all' as const),
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
        const fanOut = this.nodes.get(node.fanOut);
        const incoming = this.inEdges.get(node.name) ?? [];
        return {
          ...common,
          kind: 'join',
          fanOut: node.fanOut,
          collect: fanOut?.kind === 'choice' ? 'taken' : 'array',
          store: this.joinStore(node.name, incoming),
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
          store: this.joinStore(node.name, this.inEdges.get(node.name) ?? []),
          ...(node.fanOut === undefined ? {} : { fanOut: node.fanOut }),
          fansOut: triggerFansOut(node.trigger),
        };
    }
  }

  private buildContinuation(source: GraphNode, edge: GraphEdge): Continuation {
    const target = this.nodes.get(edge.target);
    const join = this.joinTargets.get(edge.id);
    const trigger = this.triggerTargets.get(edge.id);
    let mode: ContinuationMode = 'one';
    if (trigger !== undefined) mode = 'trigger';
    else if (source.kind === 'map') mode = 'each';
    else if (join !== undefined) mode = 'join';
    const continuation: Continuation = {
      target: edge.target,
      cloud: this.cloudOf.get(edge.target) ?? '',
      failover: [...new Set(target?.failover ?? [])],
      mode,
      scope: this.scopeOps.get(edge.id) ?? { op: 'keep' },
      skip: this.skipTargets.get(edge.id) ?? [],
      transfer: target?.transfer ?? 'auto',
      inlineLimitBytes: this.inlineLimit(edge.target),
    };
    if (edge.guard !== undefined) continuation.guard = edge.guard;
    if (edge.mapping !== undefined) continuation.mapping = edge.mapping;
    if (edge.notBefore !== undefined) {
      if (mode === 'one') continuation.notBefore = edge.notBefore;
      else {
        this.error(
          'IR_NOT_BEFORE_NOT_ALLOWED',
          `edge ${edge.id} has notBefore, but it ${mode === 'join' ? 'fills a join slot' : mode === 'each' ? 'leaves a map' : 'feeds a trigger'}, which cannot wait; put a task between "${source.name}" and "${edge.target}" and the notBefore on the edge into that task`,
          { edge: edge.id },
        );
      }
    }
    if (join !== undefined) continuation.join = join;
    if (trigger !== undefined) continuation.trigger = trigger;
    return continuation;
  }

  private inGraphOrder(names: Iterable<string>): string[] {
    const set = new Set(names);
    return this.nodeOrder.filter((n) => set.has(n));
  }
}

/** Kinds that run user code (a join or trigger only when it has some). */
/**
 * Gives every branch's `join` continuation into a bounded map's join the map's `each`
 * continuation, so the branch of element k can start element k + n with local knowledge only.
 */
function linkMapSuccessors(functions: Record<string, FunctionIR>): void {
  for (const fn of Object.values(functions)) {
    for (const [i, c] of fn.continuations.entries()) {
      if (c.mode !== 'join' || c.join?.slot.kind !== 'map-index') continue;
      const map = functions[c.join.slot.map];
      if (map?.kind !== 'map' || map.maxConcurrency === undefined) continue;
      const each = map.continuations.find((m) => m.mode === 'each');
      if (each === undefined) continue;
      fn.continuations[i] = {
        ...c,
        mapSuccessor: {
          map: map.name,
          maxConcurrency: map.maxConcurrency,
          mapStore: map.homeStore,
          target: each.target,
          cloud: each.cloud,
          failover: [...each.failover],
          ...(each.mapping === undefined ? {} : { mapping: each.mapping }),
          transfer: each.transfer,
          inlineLimitBytes: each.inlineLimitBytes,
        },
      };
    }
  }
}

function runsCode(node: GraphNode): boolean {
  return node.kind === 'task' || node.kind === 'join' || node.kind === 'trigger';
}

function isParallelKind(node: GraphNode): boolean {
  return node.kind === 'task' || node.kind === 'join' || node.kind === 'trigger';
}

function scopeText(scope: readonly ScopeFrame[]): string {
  return scope.map((f) => `${f.kind}:${f.name}`).join('/');
}

function describeScope(scope: readonly ScopeFrame[]): string {
  if (scope.length === 0) return 'the top level';
  return scope.map((f) => `${f.kind} "${f.name}"`).join(' > ');
}

/** The scope operation that turns `from` into `to`, or undefined when one op cannot. */
function scopeOp(from: readonly ScopeFrame[], to: readonly ScopeFrame[]): ScopeOp | undefined {
  let common = 0;
  while (
    common < from.length &&
    common < to.length &&
    from[common]?.kind === to[common]?.kind &&
    from[common]?.name === to[common]?.name
  ) {
    common++;
  }
  const pops = from.length - common;
  const pushes = to.slice(common);
  const pushed = pushes[0];
  if (pushes.length === 0) return pops === 0 ? { op: 'keep' } : { op: 'pop', count: pops };
  if (pops === 0 && pushes.length === 1 && pushed !== undefined) {
    return pushed.kind === 'map'
      ? { op: 'push-map', map: pushed.name }
      : { op: 'push-loop', loop: pushed.name };
  }
  return undefined;
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

function quoteList(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

function readKey(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function readIndex(value: unknown, index: number): unknown {
  return Array.isArray(value) ? value[index] : undefined;
}
