/**
 * Reading and comparing the hybrid logical clock stamps (`<ms>-<counter>-<cloud>`) the runtime
 * puts on every trace event. Wall clocks of different clouds disagree; the stamp orders an event
 * after everything its function had received, so it is what consumers sort by.
 */

/** A parsed stamp: wall-clock ms, the counter within that ms, and the emitting cloud. */
export interface HlcStamp {
  ms: number;
  counter: number;
  cloud: string;
}

const STAMP = /^(\d+)-(\d+)-(.*)$/;

/**
 * Parses `<ms>-<counter>-<cloud>`; undefined when the text is not a stamp.
 *
 * @example
 * parseHlc('1700000000000-0003-aws-local'); // { ms: 1700000000000, counter: 3, cloud: 'aws-local' }
 */
export function parseHlc(stamp: string | undefined): HlcStamp | undefined {
  if (stamp === undefined) return undefined;
  const match = STAMP.exec(stamp);
  if (match === null) return undefined;
  return { ms: Number(match[1]), counter: Number(match[2]), cloud: match[3] ?? '' };
}

function compareStamps(a: HlcStamp, b: HlcStamp): number {
  return (
    a.ms - b.ms || a.counter - b.counter || (a.cloud < b.cloud ? -1 : a.cloud > b.cloud ? 1 : 0)
  );
}

/**
 * Orders two parsed stamps: by ms, then counter, then cloud (a total order); a missing stamp
 * sorts before every present one. Parse once and compare many times when sorting many.
 */
export function compareHlcStamps(a: HlcStamp | undefined, b: HlcStamp | undefined): number {
  if (a === undefined || b === undefined)
    return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1);
  return compareStamps(a, b);
}

/**
 * Orders two stamps: by ms, then counter, then cloud (a total order). A missing or malformed
 * stamp sorts before every valid one.
 */
export function compareHlc(a: string | undefined, b: string | undefined): number {
  return compareHlcStamps(parseHlc(a), parseHlc(b));
}

/** What ordering needs of an event: its stamp, its wall time (for events without a stamp), its id. */
export interface OrderedEvent {
  hlc?: string;
  at: number;
  id: string;
}

function compareKeyed(
  a: OrderedEvent,
  pa: HlcStamp | undefined,
  b: OrderedEvent,
  pb: HlcStamp | undefined,
): number {
  const byClock =
    pa !== undefined && pb !== undefined
      ? compareStamps(pa, pb)
      : (pa?.ms ?? a.at) - (pb?.ms ?? b.at) ||
        (pa === undefined ? 0 : 1) - (pb === undefined ? 0 : 1);
  return byClock || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The order consumers show and fold trace events in: by hybrid logical clock; events without a
 * stamp (older producers) by wall time, before stamped ones of the same ms; the deterministic id
 * breaks ties, so the order never depends on arrival.
 *
 * @example
 * events.sort(compareTraceEvents);
 */
export function compareTraceEvents(a: OrderedEvent, b: OrderedEvent): number {
  return compareKeyed(a, parseHlc(a.hlc), b, parseHlc(b.hlc));
}

/**
 * A copy of `events` in `compareTraceEvents` order, parsing each stamp once (the comparator
 * alone would parse two stamps per comparison).
 */
export function orderTraceEvents<E extends OrderedEvent>(events: readonly E[]): E[] {
  const keyed = events.map((event) => ({ event, stamp: parseHlc(event.hlc) }));
  keyed.sort((x, y) => compareKeyed(x.event, x.stamp, y.event, y.stamp));
  return keyed.map((k) => k.event);
}
