import type { Graph, NodeKind } from '@jointflow/ir';
import {
  Background,
  Controls,
  type Edge,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
} from '@xyflow/react';
import { memo, useMemo } from 'react';
import type { Cloud } from '../api/apiClient';
import { cloudColor } from '../api/queries';
import { layoutOnOpen } from '../document/autoLayout';
import { CloudBadge } from './CloudBadge';
import { formatUsd } from './money';
import type { StepSummary } from './runTrace';
import type { TriggerView } from './useTriggerStates';

const glyphs: Record<NodeKind, string> = {
  task: 'λ',
  map: '⋔',
  join: '⋈',
  choice: '◇',
  loop: '↻',
  trigger: '⚡',
};

type RunNodeData = {
  name: string;
  kind: NodeKind;
  /** The cloud the graph asked for (`auto` or a cloud id). */
  asked: string;
  /** Where the deployment placed it. */
  placed: string | undefined;
  color: string;
  summary: StepSummary | undefined;
  selected: boolean;
  /** A trigger step's live state ("4/100 buffered", "3 of 4 won, 1 dropped"). */
  trigger?: string;
  /** Where a step runs when not in this execution (after a time window: `windowRuns.ts`). */
  elsewhere?: string;
};
type RunNodeType = Node<RunNodeData, 'run'>;

/** What a person reads on a step: every count against the committed total, never a ratio. */
export function countsLabel(summary: StepSummary | undefined): string {
  if (summary === undefined) return 'pending';
  const total = summary.total;
  if (total === 1 && summary.instances === 1) return summary.status;
  const parts: string[] = [];
  if (summary.succeeded > 0) parts.push(`${summary.succeeded} succeeded`);
  // A cancelled step's running and pending instances are its cancelled ones.
  const open = summary.status !== 'cancelled';
  if (open && summary.running > 0) parts.push(`${summary.running} running`);
  if (open && summary.pending > 0) parts.push(`${summary.pending} pending`);
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.skipped > 0) parts.push(`${summary.skipped} skipped`);
  if (summary.cancelled > 0) parts.push(`${summary.cancelled} cancelled`);
  if (summary.status === 'succeeded' && total !== null) return `succeeded · all ${total}`;
  const of = total === null ? `of ? (${summary.instances} seen)` : `of ${total}`;
  return `${summary.status} · ${parts.join(' · ') || 'none started'} ${of}`;
}

const RunNode = memo(function RunNode({ data }: NodeProps<RunNodeType>) {
  const s = data.summary;
  const status = s?.status ?? 'pending';
  const counts = s === undefined && data.elsewhere ? data.elsewhere : countsLabel(s);
  const ranElsewhere = s?.clouds.filter((c) => c !== data.placed) ?? [];
  const shown =
    data.asked === 'auto' ? `auto → ${data.placed ?? '?'}` : (data.placed ?? data.asked);
  return (
    <article
      className={`flow-node run-node run-${status}${data.selected ? ' selected' : ''}`}
      data-testid={`node-${data.name}`}
      data-status={status}
      aria-label={`${data.kind} ${data.name}: ${counts}${data.trigger ? `; ${data.trigger}` : ''}`}
      style={{ borderLeftColor: data.color }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="flow-node-name">
        <span aria-hidden="true">{glyphs[data.kind]} </span>
        {data.name}
      </div>
      <CloudBadge color={data.color}>{shown}</CloudBadge>
      {ranElsewhere.length > 0 && (
        <span className="run-node-ran">{`ran on ${ranElsewhere.join(', ')}`}</span>
      )}
      <div className="flow-node-run" data-testid={`status-${data.name}`}>
        {counts}
      </div>
      {data.trigger !== undefined && (
        <div className="run-node-trigger" data-testid={`trigger-state-${data.name}`}>
          {data.trigger}
        </div>
      )}
      {s !== undefined && s.costUsd > 0 && (
        <div className="run-node-cost">{formatUsd(s.costUsd)}</div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </article>
  );
});

const nodeTypes = { run: RunNode };

/**
 * The workflow as it runs: each step with its placed cloud (auto steps show where the plan put
 * them, and where they actually ran), its counts against the committed total, and its cost.
 * Clicking a step selects it. Read-only: nothing here edits the graph.
 */
export function RunGraph({
  graph,
  clouds,
  placement,
  summaries,
  selected,
  onSelect,
  dark,
  triggers,
  elsewhere,
}: {
  graph: Graph;
  clouds: readonly Cloud[];
  placement: Readonly<Record<string, string>>;
  summaries: ReadonlyMap<string, StepSummary>;
  triggers?: ReadonlyMap<string, TriggerView>;
  elsewhere?: ReadonlyMap<string, string>;
  selected: string | null;
  onSelect(step: string): void;
  dark: boolean;
}) {
  const laidOut = useMemo(() => layoutOnOpen(graph), [graph]);
  const nodes = useMemo(
    (): RunNodeType[] =>
      laidOut.nodes.map((node) => {
        const placed = placement[node.name] ?? (node.cloud === 'auto' ? undefined : node.cloud);
        return {
          id: node.name,
          type: 'run',
          position: node.position ?? { x: 0, y: 0 },
          draggable: false,
          connectable: false,
          data: {
            name: node.name,
            kind: node.kind,
            asked: node.cloud,
            placed,
            color: cloudColor(clouds, placed),
            summary: summaries.get(node.name),
            selected: selected === node.name,
            trigger: triggers?.get(node.name)?.label,
            elsewhere: elsewhere?.get(node.name),
          },
        };
      }),
    [laidOut, placement, clouds, summaries, selected, triggers, elsewhere],
  );
  const edges = useMemo(
    (): Edge[] =>
      laidOut.edges.map((edge) => {
        const from = placement[edge.source];
        const to = placement[edge.target];
        const cross = from !== undefined && to !== undefined && from !== to;
        return {
          id: edge.id,
          source: edge.source,
          target: edge.target,
          markerEnd: { type: MarkerType.ArrowClosed },
          className: cross ? 'edge-cross-cloud' : undefined,
          style: cross ? { strokeWidth: 2.5, stroke: '#8e4ec6' } : undefined,
          label: cross ? `${from} → ${to}` : undefined,
        };
      }),
    [laidOut, placement],
  );
  return (
    <ReactFlow<RunNodeType, Edge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      onNodeClick={(_, node) => onSelect(node.id)}
      colorMode={dark ? 'dark' : 'light'}
      fitView
      fitViewOptions={{ padding: 0.12, maxZoom: 1 }}
      minZoom={0.05}
      proOptions={{ hideAttribution: true }}
    >
      <Background />
      <Controls showInteractive={false} position="top-right" />
    </ReactFlow>
  );
}
