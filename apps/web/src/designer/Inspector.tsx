import {
  aslDataFlowOf,
  type Graph,
  type GraphEdge,
  type GraphNode,
  NODE_NAME_PATTERN,
  type TransferMode,
  transferModes,
  withAslDataFlow,
} from '@jointflow/ir';
import { memo, useEffect, useId, useState } from 'react';
import type { Cloud } from '../api/apiClient';
import { connect, renameNode, updateEdge, updateNode } from '../document/graphEdits';
import { documentStore } from '../document/useDocument';
import { sameForCompiler } from '../document/useValidation';
import { LazyCodeEditor } from '../editor/LazyCodeEditor';
import { kindLabels } from './FlowNode';
import { TriggerForm } from './TriggerForm';

/** The id of the "Connect to…" field; the `C` shortcut moves focus to it. */
export const CONNECT_SELECT_ID = 'connect-to';

function edit(patch: (graph: Graph) => Graph, coalesce: string) {
  documentStore.getState().apply(patch, { coalesce });
}

function NumberField({
  label,
  value,
  min,
  max,
  onCommit,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  onCommit(value: number): void;
}) {
  const id = useId();
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const parsed = Number(text);
  const valid = text.trim() !== '' && Number.isInteger(parsed) && parsed >= min && parsed <= max;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        value={text}
        aria-invalid={!valid}
        onChange={(e) => {
          setText(e.target.value);
          const next = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isInteger(next) && next >= min && next <= max)
            onCommit(next);
        }}
      />
      {!valid && (
        <small className="error">
          A whole number from {min} to {max}.
        </small>
      )}
    </div>
  );
}

/** A whole number that may be left empty (`undefined`: no value, e.g. no limit). */
function OptionalNumberField({
  label,
  value,
  min,
  max,
  placeholder,
  onCommit,
}: {
  label: string;
  value: number | undefined;
  min: number;
  max: number;
  placeholder: string;
  onCommit(value: number | undefined): void;
}) {
  const id = useId();
  const shown = value === undefined ? '' : String(value);
  const [text, setText] = useState(shown);
  useEffect(() => setText(shown), [shown]);
  const accepts = (t: string) => {
    const n = Number(t);
    return t.trim() === '' || (Number.isInteger(n) && n >= min && n <= max);
  };
  const valid = accepts(text);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        placeholder={placeholder}
        value={text}
        aria-invalid={!valid}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (accepts(t)) onCommit(t.trim() === '' ? undefined : Number(t));
        }}
      />
      {!valid && (
        <small className="error">
          A whole number from {min} to {max}, or empty.
        </small>
      )}
    </div>
  );
}

function NameField({ graph, node }: { graph: Graph; node: GraphNode }) {
  const id = useId();
  const [text, setText] = useState(node.name);
  useEffect(() => setText(node.name), [node.name]);
  const taken = text !== node.name && graph.nodes.some((n) => n.name === text);
  const valid = NODE_NAME_PATTERN.test(text) && !taken;
  const commit = () => {
    if (valid && text !== node.name) {
      const from = node.name;
      documentStore.getState().apply((g) => renameNode(g, from, text));
      const selection = documentStore.getState().selection;
      documentStore
        .getState()
        .select({ ...selection, nodes: selection.nodes.map((n) => (n === from ? text : n)) });
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>Name</label>
      <input
        id={id}
        value={text}
        aria-invalid={!valid}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setText(node.name);
        }}
      />
      {!valid && (
        <small className="error">
          {taken
            ? 'Another step has this name.'
            : 'Starts with a letter; letters, digits, _ or - (up to 63).'}
        </small>
      )}
    </div>
  );
}

function SelectField({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange(value: string): void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function TextField({
  label,
  value,
  placeholder,
  onChange,
  list,
}: {
  label: string;
  value: string;
  placeholder?: string;
  onChange(value: string): void;
  list?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        placeholder={placeholder}
        list={list}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

/**
 * The data flow of a step imported from Step Functions (InputPath, Parameters, ResultSelector,
 * ResultPath, OutputPath, as written in the definition), as JSON. Leaving the field applies an
 * edit to the step's code (only its data line changes) or lists what keeps it from applying.
 */
function AslDataFlowField({ code, onCode }: { code: string; onCode(code: string): void }) {
  const id = useId();
  const view = aslDataFlowOf(code);
  const shown = view === undefined ? '' : JSON.stringify(view.fields, null, 2);
  const [text, setText] = useState(shown);
  const [problems, setProblems] = useState<string[]>([]);
  useEffect(() => {
    setText(shown);
    setProblems([]);
  }, [shown]);
  if (view === undefined) return null;
  const apply = () => {
    let fields: unknown;
    try {
      fields = JSON.parse(text);
    } catch {
      setProblems(['The data flow must be JSON, e.g. {"InputPath": "$.order"}.']);
      return;
    }
    const edited = withAslDataFlow(code, fields);
    if ('problems' in edited) setProblems(edited.problems);
    else if (edited.code !== code) onCode(edited.code);
  };
  return (
    <div className="field">
      <label htmlFor={id}>
        Step Functions data flow <span className="muted">{`${view.type} "${view.state}"`}</span>
      </label>
      <textarea
        id={id}
        value={text}
        rows={Math.min(12, Math.max(3, text.split('\n').length))}
        spellCheck={false}
        placeholder={`{} (fields: ${view.allowed.join(', ')})`}
        aria-invalid={problems.length > 0}
        onChange={(e) => setText(e.target.value)}
        onBlur={apply}
      />
      {problems.map((p) => (
        <small key={p} className="error">
          {p}
        </small>
      ))}
    </div>
  );
}

/**
 * Connecting without a mouse: the step's outgoing edges (each selects its edge, to edit or
 * delete it) and a field that adds an edge to any other step.
 */
function ConnectField({ graph, node }: { graph: Graph; node: GraphNode }) {
  // A select changes on every arrow key when closed: the edge is added by the button only.
  const [target, setTarget] = useState('');
  const outgoing = graph.edges.filter((e) => e.source === node.name);
  const targets = graph.nodes.filter(
    (n) =>
      (n.name !== node.name || n.kind === 'loop') && !outgoing.some((e) => e.target === n.name),
  );
  return (
    <div className="field connect-field">
      <label htmlFor={CONNECT_SELECT_ID}>
        Connect to… <kbd className="muted">C</kbd>
      </label>
      <div className="connect-row">
        <select id={CONNECT_SELECT_ID} value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">
            {targets.length > 0 ? 'Choose the next step' : 'No step left to connect'}
          </option>
          {targets.map((n) => (
            <option key={n.name} value={n.name}>
              {n.name} ({kindLabels[n.kind]})
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={!targets.some((n) => n.name === target)}
          onClick={() => {
            const to = target;
            documentStore.getState().apply((g) => connect(g, node.name, to));
            setTarget('');
          }}
        >
          Connect
        </button>
      </div>
      {outgoing.length > 0 && (
        <ul className="edge-list" aria-label={`Edges from ${node.name}`}>
          {outgoing.map((e) => (
            <li key={e.id}>
              <button
                type="button"
                className="ghost"
                title="Select this edge (then Delete removes it)"
                onClick={() => documentStore.getState().select({ nodes: [], edges: [e.id] })}
              >
                → {e.target}
                {e.guard ? ` if ${e.guard}` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function NodeInspector({
  graph,
  node,
  clouds,
  dark,
}: {
  graph: Graph;
  node: GraphNode;
  clouds: readonly Cloud[];
  dark: boolean;
}) {
  const name = node.name;
  const set = (patch: Partial<GraphNode>, field: string) =>
    edit((g) => updateNode(g, name, patch), `${name}.${field}`);
  const cloudOptions = [
    { value: 'auto', label: 'auto (planner decides)' },
    ...clouds.map((c) => ({ value: c.id, label: c.name ? `${c.id} — ${c.name}` : c.id })),
  ];
  if (node.cloud !== 'auto' && !clouds.some((c) => c.id === node.cloud)) {
    cloudOptions.push({ value: node.cloud, label: `${node.cloud} (unknown)` });
  }
  const classes = [...new Set(clouds.flatMap((c) => Object.keys(c.behaviour.classSpeed)))];
  // A trigger's code is optional, like a join's: without it the fired objects pass on.
  const runsCode = node.kind === 'task' || node.kind === 'join' || node.kind === 'trigger';
  return (
    <>
      <h2>
        {kindLabels[node.kind]} <span className="muted">{node.name}</span>
      </h2>
      <NameField graph={graph} node={node} />
      {node.kind === 'trigger' && <TriggerForm graph={graph} node={node} />}
      <ConnectField graph={graph} node={node} />
      <SelectField
        label="Cloud"
        value={node.cloud}
        options={cloudOptions}
        onChange={(v) => set({ cloud: v }, 'cloud')}
      />
      <SelectField
        label="Failover cloud"
        value={node.failover[0] ?? ''}
        options={[
          { value: '', label: 'none' },
          ...clouds.map((c) => ({ value: c.id, label: c.id })),
        ]}
        onChange={(v) => set({ failover: v ? [v] : [] }, 'failover')}
      />
      <NumberField
        label="Memory (MB)"
        value={node.memoryMb}
        min={64}
        max={10240}
        onCommit={(v) => set({ memoryMb: v }, 'memory')}
      />
      <NumberField
        label="Timeout (ms)"
        value={node.timeoutMs}
        min={100}
        max={900000}
        onCommit={(v) => set({ timeoutMs: v }, 'timeout')}
      />
      <NumberField
        label="Retries"
        value={node.retries}
        min={0}
        max={10}
        onCommit={(v) => set({ retries: v }, 'retries')}
      />
      <TextField
        label="Function class"
        value={node.functionClass}
        list="function-classes"
        onChange={(v) => v.trim() && set({ functionClass: v.trim() }, 'class')}
      />
      <datalist id="function-classes">
        {classes.map((c) => (
          <option key={c} value={c} />
        ))}
      </datalist>
      <SelectField
        label="Transfer"
        value={node.transfer}
        options={transferModes.map((m) => ({ value: m, label: m }))}
        onChange={(v) => set({ transfer: v as TransferMode }, 'transfer')}
      />
      <label className="checkbox">
        <input
          type="checkbox"
          checked={node.expensive}
          onChange={(e) => set({ expensive: e.target.checked }, 'expensive')}
        />{' '}
        Expensive (read the checkpoint before running)
      </label>
      {node.kind === 'map' && (
        <>
          <TextField
            label="Items (JSONata)"
            value={node.items}
            onChange={(v) => set({ items: v } as Partial<GraphNode>, 'items')}
          />
          <NumberField
            label="Max items"
            value={node.maxItems}
            min={1}
            max={100000}
            onCommit={(v) => set({ maxItems: v } as Partial<GraphNode>, 'maxItems')}
          />
          <OptionalNumberField
            label="Max concurrency"
            placeholder="no limit: every element at once"
            value={node.maxConcurrency}
            min={1}
            max={100000}
            onCommit={(v) => set({ maxConcurrency: v } as Partial<GraphNode>, 'maxConcurrency')}
          />
        </>
      )}
      {node.kind === 'join' && (
        <SelectField
          label="Collects fan-out of"
          value={node.fanOut}
          options={graph.nodes
            .filter((n) => n.name !== node.name)
            .map((n) => ({ value: n.name, label: n.name }))}
          onChange={(v) => set({ fanOut: v } as Partial<GraphNode>, 'fanOut')}
        />
      )}
      {node.kind === 'loop' && (
        <NumberField
          label="Max iterations"
          value={node.maxIterations}
          min={1}
          max={10000}
          onCommit={(v) => set({ maxIterations: v } as Partial<GraphNode>, 'maxIterations')}
        />
      )}
      {node.kind === 'task' && (
        <AslDataFlowField code={node.code} onCode={(code) => set({ code }, 'code')} />
      )}
      {runsCode && (
        <div className="field code-field">
          <span className="label">Code (TypeScript)</span>
          <div className="node-code">
            <LazyCodeEditor
              path={`file:///nodes/${node.name}.ts`}
              language="typescript"
              label={`Code of ${node.name}`}
              value={node.code}
              dark={dark}
              onChange={(code) => set({ code }, 'code')}
            />
          </div>
        </div>
      )}
    </>
  );
}

function EdgeInspector({ edge }: { edge: GraphEdge }) {
  const set = (patch: Partial<GraphEdge>, field: string) =>
    edit((g) => updateEdge(g, edge.id, patch), `${edge.id}.${field}`);
  return (
    <>
      <h2>
        Edge <span className="muted">{`${edge.source} → ${edge.target}`}</span>
      </h2>
      <TextField
        label="Guard (JSONata)"
        placeholder="always taken"
        value={edge.guard ?? ''}
        onChange={(v) => set({ guard: v || undefined }, 'guard')}
      />
      <TextField
        label="Mapping (JSONata)"
        placeholder="pass the output on"
        value={edge.mapping ?? ''}
        onChange={(v) => set({ mapping: v || undefined }, 'mapping')}
      />
      <TextField
        label="Not before (JSONata)"
        placeholder="start the target at once"
        value={edge.notBefore ?? ''}
        onChange={(v) => set({ notBefore: v || undefined }, 'notBefore')}
      />
      <TextField
        label="Label"
        value={edge.label ?? ''}
        onChange={(v) => set({ label: v || undefined }, 'label')}
      />
    </>
  );
}

/** Settings of the selected node or edge. Dragging (positions only) does not re-render it. */
export const Inspector = memo(
  InspectorPanel,
  (a, b) =>
    a.selection === b.selection &&
    a.clouds === b.clouds &&
    a.dark === b.dark &&
    sameForCompiler(a.graph, b.graph),
);

function InspectorPanel({
  graph,
  selection,
  clouds,
  dark,
}: {
  graph: Graph;
  selection: { nodes: string[]; edges: string[] };
  clouds: readonly Cloud[];
  dark: boolean;
}) {
  const node =
    selection.nodes.length === 1
      ? graph.nodes.find((n) => n.name === selection.nodes[0])
      : undefined;
  const edge =
    selection.nodes.length === 0 && selection.edges.length === 1
      ? graph.edges.find((e) => e.id === selection.edges[0])
      : undefined;
  return (
    <aside className="inspector" aria-label="Inspector">
      {node && (
        <NodeInspector key={node.name} graph={graph} node={node} clouds={clouds} dark={dark} />
      )}
      {edge && <EdgeInspector key={edge.id} edge={edge} />}
      {!node && !edge && (
        <p className="muted">
          {selection.nodes.length > 1
            ? `${selection.nodes.length} steps selected. Copy, duplicate or delete them together.`
            : 'Select a step or an edge to edit it. Drag steps from the palette; connect them by dragging from the right handle to the left handle of the next step.'}
        </p>
      )}
    </aside>
  );
}
