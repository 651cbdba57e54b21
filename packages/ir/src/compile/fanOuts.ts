import { triggerFansOut } from '../graph';
import type { DiagnosticLog } from './diagnosticLog';
import { type GraphIndex, outOf } from './graphIndex';
import { isParallelKind } from './nodeKinds';

/**
 * Fan-out pass: maps, parallel fan-outs, choices and fanning triggers against the joins (or triggers)
 * that collect them. Returns the collector of each fan-out (fan-out name -> join name).
 */
export function pairFanOuts(index: GraphIndex, log: DiagnosticLog): ReadonlyMap<string, string> {
  const joinOfFanOut = new Map<string, string>();
  for (const [name, node] of index.nodes) {
    if (node.kind !== 'trigger' || node.fanOut === undefined) continue;
    const fanOut = index.nodes.get(node.fanOut);
    const outCount = outOf(index, node.fanOut).length;
    if (
      fanOut === undefined ||
      !(fanOut.kind === 'map' || (isParallelKind(fanOut) && outCount >= 2))
    ) {
      log.error(
        'IR_TRIGGER_FANOUT',
        `trigger "${name}" collects "${node.fanOut}", which is not a map or a step with several outgoing edges; set fanOut to the step whose branches feed it, or clear it`,
        { node: name },
      );
    } else {
      joinOfFanOut.set(node.fanOut, name);
    }
  }
  for (const [name, node] of index.nodes) {
    if (node.kind !== 'join') continue;
    const fanOut = index.nodes.get(node.fanOut);
    const outCount = outOf(index, node.fanOut).length;
    if (fanOut === undefined) {
      log.error(
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
      log.error(
        'IR_JOIN_WITHOUT_FANOUT',
        `join "${name}" collects "${node.fanOut}", which does not fan out (a ${fanOut.kind} with ${outCount} outgoing edge${outCount === 1 ? '' : 's'}); set fanOut to a map, a choice or a step with several outgoing edges`,
        { node: name },
      );
    } else if (joinOfFanOut.has(node.fanOut)) {
      log.error(
        'IR_DUPLICATE_JOIN',
        `"${joinOfFanOut.get(node.fanOut)}" and "${name}" both collect "${node.fanOut}"; one fan-out has one join (or one trigger), delete one`,
        { node: name },
      );
    } else {
      joinOfFanOut.set(node.fanOut, name);
    }
  }
  for (const [name, node] of index.nodes) {
    const out = outOf(index, name);
    if (node.kind === 'map') {
      const bound = node.maxConcurrency;
      if (bound !== undefined && !(Number.isSafeInteger(bound) && bound >= 1)) {
        log.error(
          'IR_MAP_MAX_CONCURRENCY',
          `map "${name}" has maxConcurrency ${bound}; it must be a whole number of at least 1 (the branches in flight at once), or left out to start every element at once`,
          { node: name },
        );
      }
      const collector = index.nodes.get(joinOfFanOut.get(name) ?? '');
      if (bound !== undefined && collector?.kind === 'trigger') {
        // Only a branch's fill of a join slot starts the next element: a trigger would wait
        // for elements nothing starts.
        log.error(
          'IR_MAP_MAX_CONCURRENCY',
          `map "${name}" has maxConcurrency but trigger "${collector.name}" collects its branches; a bounded map must end in a join, so clear maxConcurrency or collect the branches with a join`,
          { node: name },
        );
      }
      if (out.length !== 1) {
        log.error(
          'IR_MAP_SUCCESSORS',
          `map "${name}" has ${out.length} outgoing edges; it needs exactly one, to the step that runs once per element`,
          { node: name },
        );
      } else if (out[0]?.target === joinOfFanOut.get(name)) {
        log.error(
          'IR_MAP_EMPTY_BODY',
          `map "${name}" leads straight to its join; put the step to run per element between them`,
          { node: name },
        );
      }
      if (!joinOfFanOut.has(name)) {
        log.error(
          'IR_MAP_WITHOUT_JOIN',
          `map "${name}" has no join; add a join node with fanOut "${name}" where the per-element branches end`,
          { node: name },
        );
      }
    } else if (
      node.kind === 'trigger' &&
      triggerFansOut(node.trigger) &&
      out.length > 0 &&
      !joinOfFanOut.has(name)
    ) {
      log.error(
        'IR_TRIGGER_WITHOUT_JOIN',
        `${node.trigger.type} trigger "${name}" fires several runs but nothing collects them; add a join node with fanOut "${name}" where they end`,
        { node: name },
      );
    } else if (
      isParallelKind(node) &&
      out.length >= 2 &&
      !joinOfFanOut.has(name) &&
      // Objects routed by triggers (by name, say) need no join: each trigger decides alone.
      !out.every((e) => index.nodes.get(e.target)?.kind === 'trigger')
    ) {
      log.error(
        'IR_PARALLEL_WITHOUT_JOIN',
        `"${name}" starts ${out.length} parallel branches that never join; add a join node with fanOut "${name}" where they end`,
        { node: name },
      );
    } else if (node.kind === 'choice') {
      const defaults = out.filter((e) => e.guard === undefined);
      if (out.length === 0) {
        log.error(
          'IR_CHOICE_NO_BRANCHES',
          `choice "${name}" has no outgoing edge; add its branches`,
          {
            node: name,
          },
        );
      } else if (defaults.length > 1) {
        log.error(
          'IR_CHOICE_MULTIPLE_DEFAULTS',
          `choice "${name}" has ${defaults.length} edges without a guard; at most one may be the default, add guards to the others`,
          { node: name },
        );
      } else if (defaults.length === 0) {
        log.warn(
          'IR_CHOICE_NO_DEFAULT',
          `choice "${name}" has no default edge; when no guard holds the execution fails. Add an edge without a guard to handle that case`,
          { node: name },
        );
      }
    }
  }
  return joinOfFanOut;
}
