import type { Graph } from '@jointflow/ir';

/**
 * Which map each step runs inside (its innermost map), read from the graph: the steps reachable
 * from a map before its join (`fanOut` = the map). An inner map belongs to the outer map's body;
 * its own body belongs to it. Lets the run view count a mapped step's branches before any of
 * them has reported a start.
 *
 * @example
 * mapBodies(graph).get('sample'); // 'branches'
 */
export function mapBodies(graph: Graph): Map<string, string> {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) {
    next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
  }
  const kind = new Map(graph.nodes.map((n) => [n.name, n]));
  // A trigger whose `fanOut` is the map collects its branches in place of a join.
  const collects = (n: Graph['nodes'][number], map: string) =>
    (n.kind === 'join' || n.kind === 'trigger') && n.fanOut === map;
  const joinsOf = (map: string) => graph.nodes.filter((n) => collects(n, map)).map((n) => n.name);
  const out = new Map<string, string>();
  for (const map of graph.nodes.filter((n) => n.kind === 'map')) {
    const seen = new Set<string>();
    const work = [...(next.get(map.name) ?? [])];
    while (work.length > 0) {
      const name = work.pop();
      if (name === undefined || seen.has(name)) continue;
      seen.add(name);
      const node = kind.get(name);
      if (node === undefined) continue;
      if (collects(node, map.name)) continue;
      out.set(name, map.name);
      // An inner map's body is its own; continue after its join(s).
      const after = node.kind === 'map' ? joinsOf(name) : (next.get(name) ?? []);
      work.push(...after);
    }
  }
  return out;
}
