import type { TriggerSpec } from '@jointflow/ir';

/**
 * The one line a trigger step shows on the canvas under its name: what it waits for, in the
 * words a person reads at a glance.
 *
 * @example
 * triggerSummary({ type: 'k-of-n', k: 3, n: 4 }) // "3 of 4"
 * triggerSummary({ type: 'batch', size: 100 }) // "batch of 100"
 */
export function triggerSummary(spec: TriggerSpec): string {
  switch (spec.type) {
    case 'immediate':
      return 'each object';
    case 'by-name':
      return `by name: ${spec.key}`;
    case 'batch':
      return `batch of ${spec.size}`;
    case 'set':
      return `set of ${spec.keys.length} ${spec.keys.length === 1 ? 'key' : 'keys'}`;
    case 'group':
      return `groups by ${spec.prefix}`;
    case 'k-of-n':
      return `${spec.k} of ${spec.n}`;
    case 'window':
      return `every ${formatWindow(spec.windowMs)}`;
  }
}

/** `1000` → `1 s`, `250` → `250 ms`, `90000` → `1.5 min`. */
function formatWindow(ms: number): string {
  if (ms >= 60_000 && ms % 6_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
