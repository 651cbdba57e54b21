import type { DataRef, TraceEvent, TraceEventKind } from './ports';
import { parseHlc } from './summary/hlc';

/**
 * Trace event helpers: a hybrid logical clock per process, small previews of values, and
 * deterministic ids (`execution/instance/kind/attempt`) so a redelivered or re-emitted event is
 * recognised as the same one.
 */

const PREVIEW_BYTES = 512;

let clockMs = 0;
let clockCounter = 0;

function formatHlc(cloud: string): string {
  return `${clockMs}-${String(clockCounter).padStart(4, '0')}-${cloud}`;
}

/** Advances the clock for a local event and returns its stamp `<ms>-<counter>-<cloud>`. */
export function tickHlc(now: number, cloud: string): string {
  if (now > clockMs) {
    clockMs = now;
    clockCounter = 0;
  } else {
    clockCounter += 1;
  }
  return formatHlc(cloud);
}

/** Merges a received stamp so that later local events order after the sender's. */
export function receiveHlc(remote: string | undefined, now: number): void {
  const stamp = parseHlc(remote);
  if (stamp === undefined) return;
  const { ms: remoteMs, counter: remoteCounter } = stamp;
  if (remoteMs > clockMs && remoteMs >= now) {
    clockMs = remoteMs;
    clockCounter = remoteCounter;
  } else if (remoteMs === clockMs) {
    clockCounter = Math.max(clockCounter, remoteCounter);
  }
}

/** How many top-level numbers a truncated preview keeps. */
const PREVIEW_NUMBERS = 32;

/**
 * The top-level finite numbers of an object (at most 32, in key order), or undefined. A large
 * output's preview keeps them so the run view can still plot a step's numbers (an accuracy, a
 * loss, a round) across a loop's iterations when the rest of the output is cut.
 */
export function topLevelNumbers(value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const numbers: Record<string, number> = {};
  let count = 0;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    numbers[key] = v;
    if (++count >= PREVIEW_NUMBERS) break;
  }
  return count > 0 ? numbers : undefined;
}

/**
 * A small JSON preview of a value: the value itself when small, else a truncated string plus
 * the value's top-level numbers (`numbers`, when it has any).
 */
export function preview(value: unknown, serialized?: string): unknown {
  const text = serialized ?? JSON.stringify(value === undefined ? null : value) ?? 'null';
  if (text.length <= PREVIEW_BYTES) return value === undefined ? null : value;
  const numbers = topLevelNumbers(value);
  return {
    truncated: true,
    bytes: text.length,
    head: text.slice(0, PREVIEW_BYTES),
    ...(numbers === undefined ? {} : { numbers }),
  };
}

/**
 * Preview of a stored `DataRef`: the inline value's preview, or the blob pointer itself (with
 * the value's top-level numbers when the caller still holds the value: the committing copy).
 */
export function previewRef(ref: DataRef, serialized?: string, value?: unknown): unknown {
  if ('inline' in ref) return preview(ref.inline, serialized);
  const numbers = value === undefined ? undefined : topLevelNumbers(value);
  return {
    blob: ref.blob,
    cloud: ref.cloud,
    bytes: ref.bytes,
    ...(numbers === undefined ? {} : { numbers }),
  };
}

export function traceEventId(
  execution: string,
  instance: string,
  kind: TraceEventKind,
  attempt: number | string,
): string {
  return `${execution}/${instance}/${kind}/${attempt}`;
}

export type TraceEventFields = Omit<TraceEvent, 'id' | 'hlc' | 'at' | 'kind' | 'attempt'>;
