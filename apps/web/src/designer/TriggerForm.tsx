import type { Graph, GraphNode, TriggerKind, TriggerSpec } from '@jointflow/ir';
import { useEffect, useId, useState } from 'react';
import { updateNode } from '../document/graphEdits';
import { documentStore } from '../document/useDocument';
import '../triggers.css';
import {
  offeredTriggerKinds,
  specForKind,
  TRIGGER_OBJECTS_HELP,
  triggerKindHelp,
  triggerKindLabels,
} from './triggerKinds';
import { triggerSummary } from './triggerSummary';
import {
  objectKeyProblem,
  type TriggerField,
  type TriggerFieldProblem,
  triggerFieldProblems,
} from './triggerValidation';

type TriggerNode = Extract<GraphNode, { kind: 'trigger' }>;

function edit(name: string, patch: Partial<TriggerNode>, coalesce: string) {
  documentStore.getState().apply((g) => updateNode(g, name, patch as Partial<GraphNode>), {
    coalesce: `${name}.${coalesce}`,
  });
}

/** The messages of one field, under it; `id` is what the field's `aria-describedby` names. */
function FieldProblems({ id, problems }: { id: string; problems: readonly string[] }) {
  if (problems.length === 0) return null;
  return (
    <small className="error trigger-problem" id={id}>
      {problems.join(' ')}
    </small>
  );
}

function messagesFor(problems: readonly TriggerFieldProblem[], field: TriggerField): string[] {
  return problems.filter((p) => p.field === field).map((p) => p.message);
}

/**
 * A whole-number field. Every whole number reaches the graph, in range or not, so the compiler's
 * IR_TRIGGER_PARAMS shows in the Problems panel and blocks Deploy exactly as the inline message
 * says; text that is not a whole number stays in the field with its message.
 */
function IntegerField({
  label,
  value,
  problems,
  onCommit,
}: {
  label: string;
  value: number;
  problems: readonly string[];
  onCommit(value: number): void;
}) {
  const id = useId();
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const parsed = Number(text);
  const whole = text.trim() !== '' && Number.isInteger(parsed);
  const shown = whole ? problems : ['Type a whole number.'];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        step={1}
        value={text}
        aria-invalid={shown.length > 0}
        aria-describedby={shown.length > 0 ? `${id}-problem` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const next = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isInteger(next)) onCommit(next);
        }}
      />
      <FieldProblems id={`${id}-problem`} problems={shown} />
    </div>
  );
}

function KeyField({
  label,
  value,
  placeholder,
  problems,
  onChange,
}: {
  label: string;
  value: string;
  placeholder: string;
  problems: readonly string[];
  onChange(value: string): void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        placeholder={placeholder}
        spellCheck={false}
        aria-invalid={problems.length > 0}
        aria-describedby={problems.length > 0 ? `${id}-problem` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <FieldProblems id={`${id}-problem`} problems={problems} />
    </div>
  );
}

/**
 * The keys of a set trigger as chips: each removable, new ones added with Enter or the Add
 * button. A key that is empty or already listed is refused here, with the reason, so the set in
 * the graph never gains one by typing; a set that lost all its keys is flagged.
 */
function SetKeysField({
  keys,
  problems,
  onChange,
}: {
  keys: readonly string[];
  problems: readonly string[];
  onChange(keys: string[]): void;
}) {
  const id = useId();
  const [draft, setDraft] = useState('');
  const key = draft.trim();
  const refusal =
    key === ''
      ? undefined
      : keys.includes(key)
        ? `"${key}" is already in the set; list each key once.`
        : objectKeyProblem(key, 'The key');
  const add = () => {
    if (key === '' || refusal !== undefined) return;
    onChange([...keys, key]);
    setDraft('');
  };
  const shown = [...(refusal ? [refusal] : []), ...problems];
  return (
    <fieldset className="field trigger-keys">
      <legend className="label">Keys to wait for</legend>
      <ul className="chips" aria-label="Keys in the set">
        {keys.map((k, i) => (
          // Keys may repeat in a hand-written graph: the index keeps React's keys unique.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <li key={`${k}-${i}`} className="chip">
            <code>{k}</code>
            <button
              type="button"
              className="ghost chip-remove"
              aria-label={`Remove key ${k}`}
              onClick={() => onChange(keys.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </li>
        ))}
        {keys.length === 0 && <li className="muted">No keys yet.</li>}
      </ul>
      <div className="connect-row">
        <label htmlFor={id} className="visually-hidden">
          New key
        </label>
        <input
          id={id}
          value={draft}
          placeholder="New key, then Enter"
          spellCheck={false}
          aria-invalid={refusal !== undefined}
          aria-describedby={shown.length > 0 ? `${id}-problem` : undefined}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" disabled={key === '' || refusal !== undefined} onClick={add}>
          Add key
        </button>
      </div>
      <FieldProblems id={`${id}-problem`} problems={shown} />
    </fieldset>
  );
}

function SpecFields({
  spec,
  problems,
  onChange,
}: {
  spec: TriggerSpec;
  problems: readonly TriggerFieldProblem[];
  onChange(spec: TriggerSpec, field: string): void;
}) {
  switch (spec.type) {
    case 'immediate':
      return null;
    case 'by-name':
      return (
        <KeyField
          label="Key"
          value={spec.key}
          placeholder="e.g. error"
          problems={messagesFor(problems, 'key')}
          onChange={(key) => onChange({ ...spec, key }, 'key')}
        />
      );
    case 'batch':
      return (
        <IntegerField
          label="Batch size (objects per run)"
          value={spec.size}
          problems={messagesFor(problems, 'size')}
          onCommit={(size) => onChange({ ...spec, size }, 'size')}
        />
      );
    case 'set':
      return (
        <SetKeysField
          keys={spec.keys}
          problems={messagesFor(problems, 'keys')}
          onChange={(keys) => onChange({ ...spec, keys }, 'keys')}
        />
      );
    case 'group':
      return (
        <KeyField
          label="Group key prefix"
          value={spec.prefix}
          placeholder="group:"
          problems={messagesFor(problems, 'prefix')}
          onChange={(prefix) => onChange({ ...spec, prefix }, 'prefix')}
        />
      );
    case 'k-of-n':
      return (
        <div className="trigger-k-of-n">
          <IntegerField
            label="k (winners)"
            value={spec.k}
            problems={messagesFor(problems, 'k')}
            onCommit={(k) => onChange({ ...spec, k }, 'k')}
          />
          <IntegerField
            label="n (arrivals)"
            value={spec.n}
            problems={messagesFor(problems, 'n')}
            onCommit={(n) => onChange({ ...spec, n }, 'n')}
          />
        </div>
      );
    case 'window':
      return (
        <IntegerField
          label="Window (ms)"
          value={spec.windowMs}
          problems={messagesFor(problems, 'windowMs')}
          onCommit={(windowMs) => onChange({ ...spec, windowMs }, 'windowMs')}
        />
      );
  }
}

/**
 * The Trigger step's settings in the inspector: the kind (exactly the kinds the runtime runs),
 * what it does in plain words, its parameters with their problems shown under each field (the
 * same rules the compiler applies; its IR_TRIGGER_* diagnostics appear in the Problems panel
 * too), and the map whose branches feed it. Every edit is one undo step per field.
 */
export function TriggerForm({ graph, node }: { graph: Graph; node: TriggerNode }) {
  const ids = { kind: useId(), help: useId(), fanOut: useId(), fanOutHelp: useId() };
  const spec = node.trigger;
  const problems = triggerFieldProblems(spec);
  const kinds: TriggerKind[] = offeredTriggerKinds.includes(spec.type)
    ? [...offeredTriggerKinds]
    : [...offeredTriggerKinds, spec.type];
  const maps = graph.nodes.filter((n) => n.kind === 'map');
  const fanOutUnknown = node.fanOut !== undefined && !maps.some((m) => m.name === node.fanOut);
  const kindProblems = messagesFor(problems, 'kind');
  return (
    <section className="trigger-form" aria-label="Trigger">
      <div className="field">
        <label htmlFor={ids.kind}>Fires</label>
        <select
          id={ids.kind}
          value={spec.type}
          aria-describedby={ids.help}
          aria-invalid={kindProblems.length > 0}
          onChange={(e) =>
            edit(node.name, { trigger: specForKind(e.target.value as TriggerKind, spec) }, 'kind')
          }
        >
          {kinds.map((kind) => (
            <option key={kind} value={kind}>
              {triggerKindLabels[kind]}
              {offeredTriggerKinds.includes(kind) ? '' : ' (does not run yet)'}
            </option>
          ))}
        </select>
        <FieldProblems id={`${ids.kind}-problem`} problems={kindProblems} />
      </div>
      <p className="hint trigger-help" id={ids.help}>
        <strong>{triggerSummary(spec)}.</strong> {triggerKindHelp[spec.type]}
      </p>
      <SpecFields
        spec={spec}
        problems={problems}
        onChange={(next, field) => edit(node.name, { trigger: next }, field)}
      />
      <div className="field">
        <label htmlFor={ids.fanOut}>Collects the branches of</label>
        <select
          id={ids.fanOut}
          value={node.fanOut ?? ''}
          aria-describedby={ids.fanOutHelp}
          aria-invalid={fanOutUnknown}
          onChange={(e) => edit(node.name, { fanOut: e.target.value || undefined }, 'fanOut')}
        >
          <option value="">none (producers are wired to it directly)</option>
          {maps.map((m) => (
            <option key={m.name} value={m.name}>
              map {m.name}
            </option>
          ))}
          {fanOutUnknown && <option value={node.fanOut}>{`${node.fanOut} (not a map)`}</option>}
        </select>
        <small className="hint" id={ids.fanOutHelp}>
          Pick the map whose branches feed this trigger: it then collects across all of them, in
          place of the map’s join.
        </small>
        {fanOutUnknown && (
          <small className="error trigger-problem">
            {`"${node.fanOut}" is not a map in this graph; pick a map or none.`}
          </small>
        )}
      </div>
      <p className="hint">{TRIGGER_OBJECTS_HELP}</p>
    </section>
  );
}
