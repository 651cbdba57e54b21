import type { GraphEdge } from '@jointflow/ir';
import { getBezierPath, Position, ViewportPortal } from '@xyflow/react';
import { memo, useMemo } from 'react';

type Box = { x: number; y: number; width: number; height: number };

/** How an edge is drawn: the same four looks React Flow's edges have on the canvas. */
export type EdgeLook = 'plain' | 'cross-cloud' | 'error' | 'selected';

export interface MergedEdgesProps {
  edges: readonly GraphEdge[];
  /** Each node's box in flow coordinates as the document has it (position and measured size). */
  boxes: ReadonlyMap<string, Box>;
  /** Positions of the nodes being dragged, ahead of the document (null when nothing is). */
  dragged: ReadonlyMap<string, { x: number; y: number }> | null;
  lookOf(edge: GraphEdge): EdgeLook;
}

const LOOKS: readonly EdgeLook[] = ['plain', 'cross-cloud', 'error', 'selected'];

/** One edge as React Flow draws it: a bezier from the source's right side to the target's left. */
function edgePath(source: Box, target: Box): string {
  const [path] = getBezierPath({
    sourceX: source.x + source.width,
    sourceY: source.y + source.height / 2,
    sourcePosition: Position.Right,
    targetX: target.x,
    targetY: target.y + target.height / 2,
    targetPosition: Position.Left,
  });
  return path;
}

/** The `d` of one merged path per look, for the edges whose two nodes have boxes. */
export function mergedEdgePaths(
  edges: readonly GraphEdge[],
  boxes: ReadonlyMap<string, Box>,
  lookOf: (edge: GraphEdge) => EdgeLook,
): Map<EdgeLook, string> {
  const parts = new Map<EdgeLook, string[]>();
  for (const edge of edges) {
    const source = boxes.get(edge.source);
    const target = boxes.get(edge.target);
    if (!source || !target) continue;
    const look = lookOf(edge);
    const list = parts.get(look) ?? [];
    list.push(edgePath(source, target));
    parts.set(look, list);
  }
  return new Map([...parts].map(([look, list]) => [look, list.join(' ')]));
}

const Paths = memo(function Paths({ paths }: { paths: Map<EdgeLook, string> }) {
  return (
    <svg className="merged-edges" aria-hidden="true">
      {LOOKS.map((look) => {
        const d = paths.get(look);
        return d ? <path key={look} className={`merged-edge merged-edge-${look}`} d={d} /> : null;
      })}
    </svg>
  );
});

/**
 * Every edge of a big graph at a zoom where none can be read or clicked, drawn as a handful of
 * SVG paths (one per look) instead of React Flow's one `<svg>` per edge: Chromium lays out and
 * layerizes each of those on every frame of a drag (two thirds of a 2,000-node drag's frame
 * time). The edges of the nodes being dragged are a separate small path, so a pointer move
 * rebuilds and repaints only them.
 */
export function MergedEdges({ edges, boxes, dragged, lookOf }: MergedEdgesProps) {
  // Which nodes move changes when a drag starts or ends, not on every pointer move.
  const movingKey = dragged ? [...dragged.keys()].sort().join('\n') : '';
  const [still, moved] = useMemo(() => {
    const moving = new Set(movingKey ? movingKey.split('\n') : []);
    const a: GraphEdge[] = [];
    const b: GraphEdge[] = [];
    for (const edge of edges) {
      (moving.has(edge.source) || moving.has(edge.target) ? b : a).push(edge);
    }
    return [a, b];
  }, [edges, movingKey]);
  const stillPaths = useMemo(() => mergedEdgePaths(still, boxes, lookOf), [still, boxes, lookOf]);
  const movedPaths = useMemo(() => {
    if (moved.length === 0) return new Map<EdgeLook, string>();
    const live = new Map(boxes);
    for (const [name, at] of dragged ?? []) {
      const box = boxes.get(name);
      if (box) live.set(name, { ...box, ...at });
    }
    return mergedEdgePaths(moved, live, lookOf);
  }, [moved, boxes, dragged, lookOf]);
  return (
    <ViewportPortal>
      <Paths paths={stillPaths} />
      {moved.length > 0 && <Paths paths={movedPaths} />}
    </ViewportPortal>
  );
}
