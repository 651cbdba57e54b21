import { runnableTriggerKinds, type TriggerKind, type TriggerSpec } from '@jointflow/ir';

/**
 * The trigger kinds the designer offers: exactly those the runtime runs (`runnableTriggerKinds`
 * from @jointflow/ir). A graph may still hold another kind (imported, or written by hand); the
 * inspector shows it, and the compiler's IR_TRIGGER_UNSUPPORTED says it does not run.
 */
export const offeredTriggerKinds: readonly TriggerKind[] = runnableTriggerKinds;

/** The kind's name in the inspector's select. */
export const triggerKindLabels: Record<TriggerKind, string> = {
  immediate: 'Each object (immediate)',
  'by-name': 'By name',
  batch: 'Batch',
  set: 'Set of keys',
  group: 'Dynamic group',
  'k-of-n': 'First k of n (redundant)',
  window: 'Time window',
};

/**
 * What each kind does, in plain words (the semantics in the lead's notes on issue 11). Runs that
 * form a fan-out say so, because the graph then needs a join that collects the trigger.
 */
export const triggerKindHelp: Record<TriggerKind, string> = {
  immediate:
    'Runs once for every object that arrives, with that object. Takes one producer. Its runs fan out like a map: end them in a join that collects this trigger.',
  'by-name':
    'Runs once for each producer that emits an object under this key, with that value. Objects under other keys are ignored.',
  batch:
    'Collects the producers’ objects in producer order and runs once per full batch with [{ key, value }, …]; the last batch may be smaller. Its runs fan out like a map: end them in a join that collects this trigger.',
  set: 'Runs once, when every listed key has arrived, with { key: value }. Objects under other keys are dropped.',
  group:
    'MapReduce shuffle: objects whose key starts with the prefix are grouped by the rest of the key; once every producer has committed, runs once per group (sorted) with { group, values }. Its runs fan out like a map: end them in a join that collects this trigger.',
  'k-of-n':
    'Runs once with the first k of n arrivals, in arrival order; the arrivals after the k-th are dropped. Use it to race replicas and ignore stragglers.',
  window: `Runs once per time window with the objects that arrived in it, when the window closes. Spans executions: many runs of the producers feed one window, and its run is an execution of its own.${runnableTriggerKinds.includes('window') ? '' : ' Does not run yet: pick another kind to deploy.'}`,
};

/** Short words per kind, for the palette's description of the Trigger step. */
const shortWords: Record<TriggerKind, string> = {
  immediate: 'each object',
  'by-name': 'by name',
  batch: 'batch',
  set: 'set',
  group: 'group',
  'k-of-n': 'k of n',
  window: 'time window',
};

/** The palette's line for the Trigger step: what it does and the kinds it offers. */
export const TRIGGER_PALETTE_DESCRIPTION = `Fires its step when data arrives: ${offeredTriggerKinds.map((k) => shortWords[k]).join(', ')}`;

/** Where a trigger's objects come from, said once under the kind's help. */
export const TRIGGER_OBJECTS_HELP =
  'An object is what a producer’s code passes to ctx.emit(key, value), or, when it emits nothing, its output under its instance key (its step name, e.g. classify).';

/**
 * The spec a trigger gets when its kind is switched to `kind`, keeping what carries over from
 * `previous` (a batch's size becomes k-of-n's n and back; set keys stay set keys) so switching
 * back and forth does not lose work.
 */
export function specForKind(kind: TriggerKind, previous?: TriggerSpec): TriggerSpec {
  if (previous?.type === kind) return previous;
  const count =
    previous?.type === 'batch' ? previous.size : previous?.type === 'k-of-n' ? previous.n : 4;
  switch (kind) {
    case 'immediate':
      return { type: 'immediate' };
    case 'by-name':
      return { type: 'by-name', key: 'result' };
    case 'batch':
      return { type: 'batch', size: Math.max(1, Math.min(10_000, count)) };
    case 'set':
      return { type: 'set', keys: ['a', 'b'] };
    case 'group':
      return { type: 'group', prefix: 'group:' };
    case 'k-of-n': {
      const n = Math.max(1, Math.min(64, count));
      return { type: 'k-of-n', k: Math.max(1, n - 1), n };
    }
    case 'window':
      return { type: 'window', windowMs: 1000 };
  }
}
