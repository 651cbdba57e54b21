import type { TriggerSpec } from '@jointflow/ir';
import { compareHlc } from '@jointflow/runtime/summary';

/**
 * A data trigger's decisions as the run view reads them from the trace (`trigger.received`,
 * `trigger.fired`, `trigger.dropped`; their fields are in packages/runtime ports.ts). Pure and
 * incremental: `TriggerFold.add` takes events in any order and any number of times (each
 * decision is counted once), so a live run folds only the events that are new.
 */

/** The fields of a trace event this file reads (a `TraceEventView` has them all). */
export interface TriggerEventLike {
  id: string;
  kind: string;
  node: string;
  instance: string;
  at: number;
  /** The hybrid logical clock stamp: what orders buckets and marks (wall clocks differ). */
  hlc?: string;
  output?: unknown;
}

export function isTriggerEvent(event: { kind: string }): boolean {
  return event.kind.startsWith('trigger.');
}

/** One trigger instance (a run, a batch, or the collection a group fills). */
export interface TriggerBucket {
  instance: string;
  /** Distinct objects received (producer and key). */
  received: number;
  /** The latest fill the runtime reported (`filled`/`size` of a batch), when it did. */
  filled?: number;
  size?: number;
  firstAt: number;
  /** The earliest stamp of its events: buckets are listed in this order. */
  firstHlc?: string;
  lastAt: number;
  /** When its committed decision fired it, and with which members (in decided order). */
  firedAt?: number;
  members?: string[];
  /** How many members the decision had (a window's event lists only the first ones). */
  memberCount?: number;
  /** A window's decision: how many producer executions fed it, and the first of them. */
  sources?: string[];
  sourceCount?: number;
  /**
   * Time windows the objects went to (a window spans executions: its run is an execution of
   * its own, `execution`), by window index.
   */
  windows?: TriggerWindow[];
}

/** A time window objects of this run went to. */
export interface TriggerWindow {
  index: number;
  windowMs: number;
  /** The window's own execution, where its run happens. */
  execution?: string;
  /** When the window closes (epoch ms): `(index + 1) * windowMs`. */
  closesAt: number;
  objects: number;
}

/** A decision on the timeline: a run fired, or an object dropped. */
export interface TriggerMark {
  kind: 'fired' | 'dropped';
  at: number;
  hlc?: string;
  instance: string;
  description: string;
}

export interface TriggerState {
  node: string;
  /** Distinct objects received over all instances. */
  received: number;
  /** Runs fired. */
  fired: number;
  /** Members of all fired runs (for k-of-n: the winners). */
  won: number;
  dropped: number;
  /** Dropped objects by reason (`late`, `not-in-set`, or what the runtime said). */
  droppedBy: Record<string, number>;
  buckets: TriggerBucket[];
  marks: TriggerMark[];
}

interface ReceivedOutput {
  from?: string;
  keys: string[];
  filled?: number;
  size?: number;
  window?: number;
  windowMs?: number;
  execution?: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function readReceived(output: unknown): ReceivedOutput {
  const o = record(output) ?? {};
  return {
    from: typeof o.from === 'string' ? o.from : undefined,
    keys: strings(o.keys),
    filled: typeof o.filled === 'number' ? o.filled : undefined,
    size: typeof o.size === 'number' ? o.size : undefined,
    window: typeof o.window === 'number' ? o.window : undefined,
    windowMs: typeof o.windowMs === 'number' ? o.windowMs : undefined,
    execution: typeof o.execution === 'string' ? o.execution : undefined,
  };
}

function readDropped(output: unknown): { from?: string; key?: string; reason: string } {
  const o = record(output) ?? {};
  return {
    from: typeof o.from === 'string' ? o.from : undefined,
    key: typeof o.key === 'string' ? o.key : undefined,
    reason: typeof o.reason === 'string' ? o.reason : 'unknown',
  };
}

const reasonWords: Record<string, string> = {
  late: 'late, the winners were already decided',
  'not-in-set': 'not one of the set’s keys',
};

/** `a, b, c` or `a, b, c and 7 more`. */
function listOf(items: readonly string[], shown = 4): string {
  if (items.length <= shown) return items.join(', ');
  return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
}

/**
 * What a trigger event says, in a sentence for the event table and the timeline's tooltips;
 * undefined for other events.
 *
 * @example
 * describeTriggerEvent({ kind: 'trigger.fired', output: { members: ['a', 'b'] }, ... })
 * // "fired with 2 objects: a, b"
 */
export function describeTriggerEvent(event: TriggerEventLike): string | undefined {
  switch (event.kind) {
    case 'trigger.received': {
      const r = readReceived(event.output);
      const fill =
        r.window !== undefined && r.windowMs !== undefined
          ? ` · into window ${r.window} (${r.windowMs} ms), run in execution ${r.execution ?? '?'}`
          : r.filled !== undefined && r.size !== undefined
            ? ` · ${r.filled}/${r.size} filled`
            : '';
      // A producer that emitted nothing sends its output under its own instance key.
      if (r.from !== undefined && r.keys.length === 1 && r.keys[0] === r.from)
        return `received the output of ${r.from}${fill}`;
      const what = r.keys.length === 0 ? 'an object' : listOf(r.keys);
      return `received ${what}${r.from ? ` from ${r.from}` : ''}${fill}`;
    }
    case 'trigger.fired': {
      const o = record(event.output);
      const members = strings(o?.members);
      const count = typeof o?.count === 'number' ? o.count : members.length;
      const sources =
        typeof o?.sourceCount === 'number'
          ? ` from ${o.sourceCount} ${o.sourceCount === 1 ? 'execution' : 'executions'}`
          : '';
      // The event may list only the first members; `count` is how many there were.
      const head = members.slice(0, 4).join(', ');
      const rest = count - Math.min(members.length, 4);
      const listed = members.length > 0 ? `: ${head}${rest > 0 ? ` and ${rest} more` : ''}` : '';
      return `fired with ${count} ${count === 1 ? 'object' : 'objects'}${sources}${listed}`;
    }
    case 'trigger.dropped': {
      const d = readDropped(event.output);
      return `dropped ${d.key ?? 'an object'}${d.from && d.from !== d.key ? ` from ${d.from}` : ''}: ${reasonWords[d.reason] ?? d.reason}`;
    }
    default:
      return undefined;
  }
}

/** An event's wall time and stamp, for a mark. */
function stampOf(event: TriggerEventLike): { at: number; hlc?: string } {
  return event.hlc === undefined ? { at: event.at } : { at: event.at, hlc: event.hlc };
}

/** The most marks one trigger keeps for the timeline (a 4,000-way batch drops none, but fires 40). */
const MAX_MARKS = 2_000;

/**
 * Folds trigger events into per-trigger state. Keeps what it has seen (decisions by instance,
 * objects by producer and key), so duplicates, re-reads after a reload and out-of-order arrival
 * count once.
 */
export class TriggerFold {
  private readonly nodes = new Map<
    string,
    {
      buckets: Map<string, TriggerBucket & { objects: Set<string> }>;
      dropped: Set<string>;
      droppedBy: Record<string, number>;
      marks: TriggerMark[];
    }
  >();
  private readonly seen = new Set<string>();

  /** Adds events; anything that is not a trigger event is ignored. */
  add(events: Iterable<TriggerEventLike>): void {
    for (const event of events) {
      if (!isTriggerEvent(event) || this.seen.has(event.id)) continue;
      this.seen.add(event.id);
      this.addOne(event);
    }
  }

  private addOne(event: TriggerEventLike): void {
    let node = this.nodes.get(event.node);
    if (node === undefined) {
      node = { buckets: new Map(), dropped: new Set(), droppedBy: {}, marks: [] };
      this.nodes.set(event.node, node);
    }
    let bucket = node.buckets.get(event.instance);
    if (bucket === undefined) {
      bucket = {
        instance: event.instance,
        received: 0,
        firstAt: event.at,
        ...(event.hlc !== undefined ? { firstHlc: event.hlc } : {}),
        lastAt: event.at,
        objects: new Set(),
      };
      node.buckets.set(event.instance, bucket);
    }
    if (event.at < bucket.firstAt) bucket.firstAt = event.at;
    if (event.hlc !== undefined && compareHlc(event.hlc, bucket.firstHlc) < 0) {
      bucket.firstHlc = event.hlc;
    }
    if (event.at > bucket.lastAt) bucket.lastAt = event.at;
    const description = describeTriggerEvent(event) ?? event.kind;
    switch (event.kind) {
      case 'trigger.received': {
        const r = readReceived(event.output);
        const keys = r.keys.length > 0 ? r.keys : [''];
        for (const key of keys) bucket.objects.add(`${r.from ?? event.id}\u0000${key}`);
        bucket.received = bucket.objects.size;
        // Fills only grow; a late copy of an earlier fill does not move it back.
        if (r.filled !== undefined && (bucket.filled === undefined || r.filled > bucket.filled))
          bucket.filled = r.filled;
        if (r.size !== undefined) bucket.size = r.size;
        if (r.window !== undefined && r.windowMs !== undefined) {
          const windows = bucket.windows ?? [];
          bucket.windows = windows;
          let w = windows.find((x) => x.index === r.window);
          if (w === undefined) {
            w = {
              index: r.window,
              windowMs: r.windowMs,
              closesAt: (r.window + 1) * r.windowMs,
              objects: 0,
              ...(r.execution === undefined ? {} : { execution: r.execution }),
            };
            windows.push(w);
            windows.sort((a, b) => a.index - b.index);
          }
          w.objects += keys.length;
        }
        break;
      }
      case 'trigger.fired': {
        if (bucket.firedAt !== undefined) break;
        bucket.firedAt = event.at;
        const o = record(event.output);
        bucket.members = strings(o?.members);
        if (typeof o?.count === 'number') bucket.memberCount = o.count;
        if (typeof o?.sourceCount === 'number') bucket.sourceCount = o.sourceCount;
        if (o?.sources !== undefined) bucket.sources = strings(o.sources);
        if (node.marks.length < MAX_MARKS)
          node.marks.push({
            kind: 'fired',
            ...stampOf(event),
            instance: event.instance,
            description,
          });
        break;
      }
      case 'trigger.dropped': {
        const d = readDropped(event.output);
        const key = `${event.instance}\u0000${d.from ?? event.id}\u0000${d.key ?? ''}`;
        if (node.dropped.has(key)) break;
        node.dropped.add(key);
        node.droppedBy[d.reason] = (node.droppedBy[d.reason] ?? 0) + 1;
        if (node.marks.length < MAX_MARKS)
          node.marks.push({
            kind: 'dropped',
            ...stampOf(event),
            instance: event.instance,
            description,
          });
        break;
      }
    }
  }

  /** The state of every trigger seen so far (fresh objects; the fold keeps its own). */
  states(): Map<string, TriggerState> {
    const out = new Map<string, TriggerState>();
    for (const [name, node] of this.nodes) {
      const buckets = [...node.buckets.values()]
        .map(({ objects: _objects, ...bucket }) => ({
          ...bucket,
          ...(bucket.windows ? { windows: bucket.windows.map((w) => ({ ...w })) } : {}),
        }))
        .sort(
          (a, b) =>
            compareHlc(a.firstHlc, b.firstHlc) ||
            a.firstAt - b.firstAt ||
            a.instance.localeCompare(b.instance),
        );
      let received = 0;
      let fired = 0;
      let won = 0;
      for (const b of buckets) {
        received += b.received;
        if (b.firedAt !== undefined) {
          fired++;
          won += b.memberCount ?? b.members?.length ?? 0;
        }
      }
      out.set(name, {
        node: name,
        received,
        fired,
        won,
        dropped: node.dropped.size,
        droppedBy: { ...node.droppedBy },
        buckets,
        marks: [...node.marks].sort((a, b) => compareHlc(a.hlc, b.hlc) || a.at - b.at),
      });
    }
    return out;
  }
}

/** Folds a list of events at once (tests, small runs). */
export function triggerStates(events: Iterable<TriggerEventLike>): Map<string, TriggerState> {
  const fold = new TriggerFold();
  fold.add(events);
  return fold.states();
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function droppedWords(state: TriggerState): string {
  if (state.dropped === 0) return '';
  const notInSet = state.droppedBy['not-in-set'] ?? 0;
  return notInSet > 0 && notInSet === state.dropped
    ? `${state.dropped} dropped (not in set)`
    : `${state.dropped} dropped`;
}

/**
 * The trigger's state in one line for its node on the run graph, in the words of its kind:
 * "4/100 buffered", "3 of 4 won, 1 dropped", "2/3 keys arrived". `spec` is the trigger's
 * settings from the graph; without it the line counts what arrived, fired and was dropped.
 *
 * @example
 * triggerStateLabel(state, { type: 'k-of-n', k: 3, n: 4 }) // "3 of 4 won, 1 dropped"
 */
export function triggerStateLabel(
  state: TriggerState | undefined,
  spec?: TriggerSpec,
  now = Number.POSITIVE_INFINITY,
): string {
  if (state === undefined) return 'waiting for objects';
  const open = state.buckets.filter((b) => b.firedAt === undefined);
  const latestOpen = open[open.length - 1];
  const parts: string[] = [];
  const dropped = droppedWords(state);
  switch (spec?.type) {
    case 'k-of-n': {
      if (state.fired === 0) {
        parts.push(`${state.received} of ${spec.n} arrived, first ${spec.k} win`);
      } else {
        parts.push(`${state.won} of ${Math.max(spec.n, state.received)} won`);
      }
      if (dropped) parts.push(dropped);
      return parts.join(', ');
    }
    case 'batch': {
      if (state.fired > 0) parts.push(`${plural(state.fired, 'batch', 'batches')} fired`);
      if (latestOpen !== undefined) {
        const size = latestOpen.size ?? spec.size;
        const filled = latestOpen.filled ?? latestOpen.received;
        parts.push(`${filled}/${size} buffered`);
      }
      if (parts.length === 0) parts.push(`0/${spec.size} buffered`);
      if (dropped) parts.push(dropped);
      return parts.join(' · ');
    }
    case 'set': {
      if (state.fired > 0) parts.push(`fired with ${plural(state.won, 'key')}`);
      else {
        const arrived = latestOpen?.received ?? 0;
        parts.push(`${Math.min(arrived, spec.keys.length)}/${spec.keys.length} keys arrived`);
      }
      if (dropped) parts.push(dropped);
      return parts.join(' · ');
    }
    case 'immediate':
      return [`${state.fired} of ${plural(state.received, 'object')} fired`, dropped]
        .filter(Boolean)
        .join(' · ');
    case 'by-name':
      return [
        `${plural(state.fired, 'run')} on "${spec.key}"`,
        `${plural(state.received, 'object')} received`,
        dropped,
      ]
        .filter(Boolean)
        .join(' · ');
    case 'window': {
      // In a producer's run: where its objects went. In the window's own run: what it fired with.
      if (state.fired > 0) {
        const b = state.buckets.find((x) => x.firedAt !== undefined);
        const from = b?.sourceCount === undefined ? '' : ` from ${plural(b.sourceCount, 'run')}`;
        return `window fired with ${plural(state.won, 'object')}${from}`;
      }
      const windows = state.buckets.flatMap((b) => b.windows ?? []);
      const last = windows[windows.length - 1];
      if (last === undefined) return `${plural(state.received, 'object')} received`;
      const left = last.closesAt - now;
      const when =
        left > 0 && Number.isFinite(left)
          ? `closes in ${(left / 1000).toFixed(1)} s`
          : Number.isFinite(left)
            ? 'closed'
            : `closes at ${new Date(last.closesAt).toISOString().slice(11, 23)}`;
      // The window's run is an execution of its own: say so, since this run's trigger and its
      // successors never start here.
      return `${plural(state.received, 'object')} sent to ${plural(new Set(windows.map((w) => w.index)).size, 'window')} · ${when}; it runs as its own execution`;
    }
    case 'group':
      return [
        `${plural(state.received, 'object')} received`,
        state.fired > 0 ? `${plural(state.fired, 'group')} fired` : 'grouping',
        dropped,
      ]
        .filter(Boolean)
        .join(' · ');
    default:
      return [`${plural(state.received, 'object')} received`, `${state.fired} fired`, dropped]
        .filter(Boolean)
        .join(' · ');
  }
}
