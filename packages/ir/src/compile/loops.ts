import type { ControlFlow } from '../controlFlow';
import type { GraphEdge } from '../graph';
import { type DiagnosticLog, quoteList } from './diagnosticLog';
import { type GraphIndex, outOf } from './graphIndex';

/** A loop node and the cycle it closes. */
export interface LoopInfo {
  loop: string;
  header: string;
  body: Set<string>;
  backEdge: GraphEdge;
  exitEdge: GraphEdge;
}

/** Every loop node's cycle, and the loop node owning each cycle's header. */
export interface Loops {
  readonly loops: ReadonlyMap<string, LoopInfo>;
  /** Cycle header -> the loop node that closes its cycle. */
  readonly headerOwner: ReadonlyMap<string, string>;
}

/**
 * Loop pass: pairs each natural loop of the control flow with the one loop node on it; reports
 * cycles without one, with several, and loop nodes with the wrong edges or not on a cycle.
 */
export function findLoops(index: GraphIndex, flow: ControlFlow, log: DiagnosticLog): Loops {
  const loops = new Map<string, LoopInfo>();
  const headerOwner = new Map<string, string>();
  const owners = new Map<string, string[]>();
  const claimed = new Set<string>();
  const innerBodies: Set<string>[] = [];
  for (const natural of flow.loops) {
    const ownerCandidates = [...natural.body].filter(
      (n) =>
        index.nodes.get(n)?.kind === 'loop' &&
        !innerBodies.some((inner) => inner.size < natural.body.size && inner.has(n)),
    );
    innerBodies.push(natural.body);
    const cycle = quoteList(inGraphOrder(index, natural.body));
    if (ownerCandidates.length === 0) {
      const closing = natural.closingEdges[0];
      log.error(
        'IR_UNGUARDED_CYCLE',
        `the cycle through ${cycle} has no loop node; route its back edge through a loop node with a guard (e.g. "$iteration < 10")`,
        { node: natural.header, edge: closing?.id },
      );
      continue;
    }
    if (ownerCandidates.length > 1) {
      log.error(
        'IR_LOOP_AMBIGUOUS',
        `the cycle through ${cycle} holds loop nodes ${quoteList(ownerCandidates)}; one cycle has one loop node, nest the others in their own cycles`,
        { node: ownerCandidates[1] },
      );
      continue;
    }
    const loop = ownerCandidates[0] ?? '';
    owners.set(loop, [...(owners.get(loop) ?? []), natural.header]);
    claimed.add(loop);
    const out = outOf(index, loop);
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
      log.error(
        'IR_LOOP_EDGES',
        `loop "${loop}" has ${back.length} edge(s) back into its body and ${exits.length} exit edge(s); it needs exactly one of each`,
        { node: loop },
      );
      continue;
    }
    if (backEdge.guard === undefined) {
      log.error(
        'IR_UNGUARDED_CYCLE',
        `the back edge ${backEdge.id} of loop "${loop}" has no guard, so the loop never ends; add one, e.g. "$iteration < 10"`,
        { node: loop, edge: backEdge.id },
      );
    }
    if (exitEdge.guard !== undefined) {
      log.error(
        'IR_LOOP_EDGES',
        `the exit edge ${exitEdge.id} of loop "${loop}" has a guard; the exit is taken whenever the back edge's guard is false, remove it`,
        { node: loop, edge: exitEdge.id },
      );
    }
    for (const closing of natural.closingEdges) {
      if (closing.source !== loop && closing.target !== loop) {
        log.error(
          'IR_UNGUARDED_CYCLE',
          `edge ${closing.id} closes a cycle that skips loop node "${loop}"; route it through "${loop}"`,
          { edge: closing.id },
        );
      }
    }
    loops.set(loop, {
      loop,
      header: natural.header,
      body: natural.body,
      backEdge,
      exitEdge,
    });
    headerOwner.set(natural.header, loop);
  }
  for (const [loop, headers] of owners) {
    if (headers.length > 1) {
      log.error(
        'IR_LOOP_AMBIGUOUS',
        `loop node "${loop}" closes ${headers.length} cycles (entered at ${quoteList(headers)}); give each cycle its own loop node`,
        { node: loop },
      );
    }
  }
  for (const [name, node] of index.nodes) {
    if (node.kind === 'loop' && !claimed.has(name) && flow.reachable.has(name)) {
      log.error(
        'IR_LOOP_WITHOUT_BACK_EDGE',
        `loop "${name}" is not on a cycle; connect its guarded back edge to the first step of the loop body, or use a task`,
        { node: name },
      );
    }
  }
  return { loops, headerOwner };
}

function inGraphOrder(index: GraphIndex, names: Iterable<string>): string[] {
  const set = new Set(names);
  return index.nodeOrder.filter((n) => set.has(n));
}
