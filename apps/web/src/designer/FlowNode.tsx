import type { NodeKind } from '@jointflow/ir';
import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { readableTextOn } from './readableText';

export const kindLabels: Record<NodeKind, string> = {
  task: 'Task',
  map: 'Map',
  join: 'Join',
  choice: 'Choice',
  loop: 'Loop',
  trigger: 'Trigger',
};

export const kindGlyphs: Record<NodeKind, string> = {
  task: 'λ',
  map: '⋔',
  join: '⋈',
  choice: '◇',
  loop: '↻',
  trigger: '⚡',
};

export type FlowNodeData = {
  kind: NodeKind;
  name: string;
  cloud: string;
  /** The cloud the planner chose for an `auto` node, when known. */
  plannedCloud?: string;
  cloudColor: string;
  hasError: boolean;
  /** A trigger's one-line summary (`triggerSummary`): "3 of 4", "batch of 100". */
  trigger?: string;
};

export type FlowNodeType = Node<FlowNodeData, 'step'>;

/**
 * A step on the canvas: kind, name, cloud badge in the cloud's colour and problems. A run's
 * status is drawn by the run view's own graph (RunGraph), from the shared step summary.
 */
export const FlowNode = memo(function FlowNode({ data, selected }: NodeProps<FlowNodeType>) {
  const shownCloud =
    data.cloud === 'auto' && data.plannedCloud ? `auto → ${data.plannedCloud}` : data.cloud;
  return (
    <article
      className={`flow-node kind-${data.kind}${selected ? ' selected' : ''}${data.hasError ? ' has-error' : ''}`}
      data-testid={`node-${data.name}`}
      aria-label={`${kindLabels[data.kind]} ${data.name}`}
      style={{ borderLeftColor: data.cloudColor }}
    >
      {/* Handles are pointer targets; keyboard users connect with the inspector's "Connect to…". */}
      <Handle type="target" position={Position.Left} />
      <div className="flow-node-head">
        <span className="flow-node-kind" aria-hidden="true">
          {kindGlyphs[data.kind]}
        </span>
        <span className="flow-node-kind-label">{kindLabels[data.kind]}</span>
        {data.hasError && (
          <span className="flow-node-error" title="This step has problems">
            !
          </span>
        )}
      </div>
      <div className="flow-node-name">{data.name}</div>
      {data.trigger !== undefined && (
        <div className="flow-node-trigger" data-testid={`trigger-summary-${data.name}`}>
          {data.trigger}
        </div>
      )}
      <span
        className="cloud-badge"
        style={{
          backgroundColor: data.cloudColor,
          color: readableTextOn(data.cloudColor),
          textShadow: 'none',
        }}
      >
        {shownCloud}
      </span>
      <Handle type="source" position={Position.Right} />
    </article>
  );
});

export const nodeTypes = { step: FlowNode };
