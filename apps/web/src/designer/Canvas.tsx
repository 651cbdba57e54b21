import type { Graph, GraphNode, NodeKind } from '@jointflow/ir';
import {
  Background,
  Controls,
  type Edge,
  type EdgeChange,
  MarkerType,
  MiniMap,
  type NodeChange,
  type OnConnect,
  ReactFlow,
  useReactFlow,
  useStore,
} from '@xyflow/react';
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Cloud } from '../api/apiClient';
import { cloudColor } from '../api/queries';
import { type FlowNodeData, type FlowNodeType, nodeTypes } from './FlowNode';
import { type EdgeLook, MergedEdges } from './MergedEdges';
import { triggerSummary } from './triggerSummary';

export const PALETTE_MIME = 'application/x-jointflow-kind';

export interface CanvasEditing {
  /**
   * A drag ended: the final positions of the nodes it moved (one undo step). While the drag
   * lasts the positions live in the canvas only, so the document, validation, inspector and
   * toolbar do not re-render on every pointer move.
   */
  onMoveEnd(positions: ReadonlyMap<string, { x: number; y: number }>): void;
  /** Selection changes, applied on top of the current selection (node and edge changes arrive separately). */
  onSelectChanges(kind: 'nodes' | 'edges', changes: { id: string; selected: boolean }[]): void;
  onConnect(source: string, target: string): void;
  onDelete(nodes: string[], edges: string[]): void;
  onDropKind(kind: NodeKind, position: { x: number; y: number }): void;
}

export interface CanvasProps {
  graph: Graph;
  clouds: readonly Cloud[];
  selection: { nodes: string[]; edges: string[] };
  errorNodes?: ReadonlySet<string>;
  errorEdges?: ReadonlySet<string>;
  placement?: Readonly<Record<string, string>>;
  editing?: CanvasEditing;
  dark: boolean;
}

type Measured = { width: number; height: number };

/**
 * Below this zoom no text on the canvas is readable (11 px labels render under 4 px), so the
 * canvas drops edge labels, arrowheads, badges and shadows (`.lod-far` in styles.css). What
 * Chromium spends per frame in a big graph is layerizing thousands of paint chunks, and each
 * label and marker is several: a 2,000-node drag is bound by them, not by JavaScript.
 */
const FAR_ZOOM = 0.35;
type XY = { x: number; y: number };

// Props of <ReactFlow> that it copies into its store whenever their identity changes: each copy
// is a store update that runs every node's, edge's and minimap node's selector (6,000+ at 2,000
// nodes). Inline objects and arrows here cost three such updates per pointer move of a drag.
const FIT_VIEW_OPTIONS = { padding: 0.15, maxZoom: 1 };
const PRO_OPTIONS = { hideAttribution: true };
const MULTI_SELECTION_KEYS = ['Shift', 'Meta', 'Control'];
/** A stable colour function: a new one re-renders every minimap node (2,000 per drag frame). */
const minimapNodeColor = (node: { data: unknown }) => (node.data as FlowNodeData).cloudColor;
/**
 * Above this many edges, a canvas zoomed out past `FAR_ZOOM` draws its edges merged
 * (`MergedEdges`) instead of as React Flow edges: at that zoom an edge is a hairline nobody can
 * click, and 2,000 separate edge SVGs cost most of a drag's frame.
 */
const MERGE_EDGES_ABOVE = 300;
const NO_EDGES: Edge[] = [];
/** A node's size before React Flow measured it (the CSS min-width and a two-line body). */
const UNMEASURED = { width: 180, height: 60 };

function effectiveCloud(
  node: GraphNode | undefined,
  placement?: Readonly<Record<string, string>>,
): string | undefined {
  if (!node) return undefined;
  return node.cloud === 'auto' ? placement?.[node.name] : node.cloud;
}

/**
 * The workflow canvas. The graph document is the source of truth: React Flow's nodes are
 * derived from it, one cached object per unchanged node so a drag re-renders only what moved.
 */
export function Canvas({
  graph,
  clouds,
  selection,
  errorNodes,
  errorEdges,
  placement,
  editing,
  dark,
}: CanvasProps) {
  const flow = useReactFlow();
  const far = useStore((state) => state.transform[2] < FAR_ZOOM);
  const [measured, setMeasured] = useState<ReadonlyMap<string, Measured>>(new Map());
  const cache = useRef(new Map<string, { key: unknown[]; node: FlowNodeType }>());
  // Positions of the nodes being dragged, ahead of the document until the drag ends.
  const [drag, setDrag] = useState<ReadonlyMap<string, XY> | null>(null);
  const dragRef = useRef<ReadonlyMap<string, XY> | null>(null);

  // Node selections made while the pointer is down (pressing a node to drag it selects it) are
  // shown on the canvas at once but reach the document when the pointer is released, so the
  // inspector (and its code editor) does not mount in the middle of a drag.
  const [heldSelects, setHeldSelects] = useState<ReadonlyMap<string, boolean> | null>(null);
  const held = useRef<Map<string, boolean> | null>(null);
  const pointerDown = useRef(false);
  const releaseSelects = useCallback(() => {
    pointerDown.current = false;
    const changes = held.current;
    held.current = null;
    if (!changes) return;
    editing?.onSelectChanges(
      'nodes',
      [...changes].map(([id, selected]) => ({ id, selected })),
    );
    setHeldSelects(null);
  }, [editing]);
  useEffect(() => {
    window.addEventListener('pointerup', releaseSelects);
    window.addEventListener('pointercancel', releaseSelects);
    return () => {
      window.removeEventListener('pointerup', releaseSelects);
      window.removeEventListener('pointercancel', releaseSelects);
    };
  }, [releaseSelects]);

  const selectedNodes = useMemo(() => {
    const set = new Set(selection.nodes);
    for (const [id, selected] of heldSelects ?? []) {
      if (selected) set.add(id);
      else set.delete(id);
    }
    return set;
  }, [selection.nodes, heldSelects]);
  const selectedEdges = useMemo(() => new Set(selection.edges), [selection.edges]);

  const nodes = useMemo(() => {
    const next = new Map<string, { key: unknown[]; node: FlowNodeType }>();
    const out = graph.nodes.map((node) => {
      const planned = node.cloud === 'auto' ? placement?.[node.name] : undefined;
      const color = cloudColor(clouds, effectiveCloud(node, placement));
      const dragged = drag?.get(node.name);
      const key = [
        node,
        dragged,
        selectedNodes.has(node.name),
        measured.get(node.name),
        errorNodes?.has(node.name) ?? false,
        planned,
        color,
      ];
      const cached = cache.current.get(node.name);
      if (cached?.key.every((v, i) => v === key[i])) {
        next.set(node.name, cached);
        return cached.node;
      }
      const data: FlowNodeData = {
        kind: node.kind,
        name: node.name,
        cloud: node.cloud,
        plannedCloud: planned,
        cloudColor: color,
        hasError: errorNodes?.has(node.name) ?? false,
        ...(node.kind === 'trigger' ? { trigger: triggerSummary(node.trigger) } : {}),
      };
      const flowNode: FlowNodeType = {
        id: node.name,
        type: 'step',
        position: dragged ?? node.position ?? { x: 0, y: 0 },
        data,
        selected: selectedNodes.has(node.name),
        measured: measured.get(node.name),
      };
      next.set(node.name, { key, node: flowNode });
      return flowNode;
    });
    cache.current = next;
    return out;
  }, [graph.nodes, drag, clouds, selectedNodes, measured, errorNodes, placement]);

  // Clouds per node change far less often than positions: edges depend only on these.
  const cloudSignature = graph.nodes
    .map((n) => `${n.name}:${effectiveCloud(n, placement) ?? ''}`)
    .join('|');
  const edgeCache = useRef(new Map<string, { key: unknown[]; edge: Edge }>());
  // biome-ignore lint/correctness/useExhaustiveDependencies: cloudSignature stands for the node clouds read here
  const edges = useMemo(() => {
    const cloudOf = new Map(graph.nodes.map((n) => [n.name, effectiveCloud(n, placement)]));
    const next = new Map<string, { key: unknown[]; edge: Edge }>();
    const out = graph.edges.map((edge): Edge => {
      const from = cloudOf.get(edge.source);
      const to = cloudOf.get(edge.target);
      const selected = selectedEdges.has(edge.id);
      const hasError = errorEdges?.has(edge.id) ?? false;
      const key = [edge, from, to, selected, hasError];
      const cached = edgeCache.current.get(edge.id);
      if (cached?.key.every((v, i) => v === key[i])) {
        next.set(edge.id, cached);
        return cached.edge;
      }
      const crossCloud = from !== undefined && to !== undefined && from !== to;
      const label = [edge.guard ? `if ${edge.guard}` : '', crossCloud ? `${from} → ${to}` : '']
        .filter(Boolean)
        .join(' · ');
      const flowEdge: Edge = {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        selected,
        label: label || undefined,
        className: `${crossCloud ? 'edge-cross-cloud' : ''}${hasError ? ' edge-error' : ''}`,
        markerEnd: { type: MarkerType.ArrowClosed },
        style: crossCloud
          ? { strokeWidth: 2.5, strokeDasharray: '6 4', stroke: hasError ? '#e5484d' : '#8e4ec6' }
          : hasError
            ? { stroke: '#e5484d', strokeWidth: 2 }
            : undefined,
        data: { crossCloud },
      };
      next.set(edge.id, { key, edge: flowEdge });
      return flowEdge;
    });
    edgeCache.current = next;
    return out;
  }, [graph.edges, cloudSignature, placement, selectedEdges, errorEdges]);

  const mergeEdges = far && graph.edges.length > MERGE_EDGES_ABOVE;
  const boxes = useMemo(() => {
    const out = new Map<string, { x: number; y: number; width: number; height: number }>();
    if (!mergeEdges) return out;
    for (const node of graph.nodes) {
      const size = measured.get(node.name) ?? UNMEASURED;
      out.set(node.name, { ...(node.position ?? { x: 0, y: 0 }), ...size });
    }
    return out;
  }, [mergeEdges, graph.nodes, measured]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: cloudSignature stands for the node clouds read here
  const cloudOf = useMemo(
    () => new Map(graph.nodes.map((n) => [n.name, effectiveCloud(n, placement)])),
    [cloudSignature, placement],
  );
  // The same looks as the React Flow edges above: selected, error, cross-cloud, plain.
  const lookOf = useCallback(
    (edge: Graph['edges'][number]): EdgeLook => {
      if (selectedEdges.has(edge.id)) return 'selected';
      if (errorEdges?.has(edge.id)) return 'error';
      const from = cloudOf.get(edge.source);
      const to = cloudOf.get(edge.target);
      return from !== undefined && to !== undefined && from !== to ? 'cross-cloud' : 'plain';
    },
    [cloudOf, selectedEdges, errorEdges],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNodeType>[]) => {
      const sizes: [string, Measured][] = [];
      const positions = new Map<string, XY>();
      const selects: { id: string; selected: boolean }[] = [];
      let dragEnded = false;
      for (const change of changes) {
        if (change.type === 'dimensions' && change.dimensions) {
          sizes.push([change.id, change.dimensions]);
        } else if (change.type === 'position') {
          if (change.position) positions.set(change.id, change.position);
          if (change.dragging === false) dragEnded = true;
        } else if (change.type === 'select') {
          selects.push({ id: change.id, selected: change.selected });
        }
      }
      if (sizes.length > 0) {
        setMeasured((previous) => {
          const next = new Map(previous);
          for (const [id, size] of sizes) next.set(id, size);
          return next;
        });
      }
      if (editing && positions.size > 0) {
        const next = new Map(dragRef.current ?? []);
        for (const [id, position] of positions) next.set(id, position);
        dragRef.current = next;
        setDrag(next);
      }
      if (editing && dragEnded && dragRef.current) {
        const moved = dragRef.current;
        dragRef.current = null;
        // The document takes the positions in the same render that drops the overlay.
        editing.onMoveEnd(moved);
        setDrag(null);
      }
      if (selects.length > 0 && editing && pointerDown.current) {
        const next = new Map(held.current ?? []);
        for (const { id, selected } of selects) next.set(id, selected);
        held.current = next;
        setHeldSelects(next);
      } else if (selects.length > 0) editing?.onSelectChanges('nodes', selects);
    },
    [editing],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<Edge>[]) => {
      if (!editing) return;
      const selects: { id: string; selected: boolean }[] = [];
      for (const change of changes) {
        if (change.type === 'select') selects.push({ id: change.id, selected: change.selected });
      }
      if (selects.length > 0) editing.onSelectChanges('edges', selects);
    },
    [editing],
  );

  const onConnect: OnConnect = useCallback(
    (connection) => {
      if (connection.source && connection.target)
        editing?.onConnect(connection.source, connection.target);
    },
    [editing],
  );

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    const kind = event.dataTransfer.getData(PALETTE_MIME);
    if (!editing || !kind) return;
    const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    editing.onDropKind(kind as NodeKind, {
      x: Math.round(position.x - 90),
      y: Math.round(position.y - 30),
    });
  };

  return (
    <section
      className={`canvas${drag ? ' dragging-nodes' : ''}${far ? ' lod-far' : ''}`}
      aria-label="Canvas"
      onDragOver={(event) => {
        if (!editing) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
      }}
      onDrop={onDrop}
      onPointerDownCapture={() => {
        pointerDown.current = true;
      }}
    >
      <ReactFlow<FlowNodeType, Edge>
        nodes={nodes}
        edges={mergeEdges ? NO_EDGES : edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        nodesDraggable={Boolean(editing)}
        nodesConnectable={Boolean(editing)}
        elementsSelectable
        // Delete is the designer's own shortcut, so a deletion is one undo step.
        deleteKeyCode={null}
        multiSelectionKeyCode={MULTI_SELECTION_KEYS}
        colorMode={dark ? 'dark' : 'light'}
        fitView={!editing}
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.05}
        onlyRenderVisibleElements={graph.nodes.length > 200}
        proOptions={PRO_OPTIONS}
      >
        <Background />
        {mergeEdges && (
          <MergedEdges edges={graph.edges} boxes={boxes} dragged={drag} lookOf={lookOf} />
        )}
        <MiniMap pannable zoomable nodeColor={minimapNodeColor} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </section>
  );
}
