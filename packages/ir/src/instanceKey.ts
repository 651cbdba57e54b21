import { NODE_NAME_PATTERN } from './graph';

/**
 * One level of the scope stack. A map entry carries the element count decided by the map's
 * committed record, so a branch knows its join's size without another store read; the count is
 * not part of the key.
 */
export type ScopeEntry =
  | { kind: 'map'; name: string; index: number; count: number }
  | { kind: 'loop'; name: string; index: number };

/** A parsed instance key: a node and its scope stack, outermost scope first. */
export interface InstanceRef {
  node: string;
  scope: ScopeEntry[];
}

/**
 * Builds the deterministic key of an instance: the node name followed by one
 * `/<kind>:<scope>=<index>` segment per scope, outermost first. Node and scope names cannot
 * contain `/`, `:` or `=`, so the encoding is unambiguous and a map inside a loop never collides
 * with a loop inside a map.
 *
 * @example
 * instanceKey('score', [
 *   { kind: 'map', name: 'resize', index: 2, count: 8 },
 *   { kind: 'loop', name: 'refine', index: 4 },
 * ]); // 'score/map:resize=2/loop:refine=4'
 */
export function instanceKey(node: string, scope: readonly ScopeEntry[]): string {
  let key = node;
  for (const entry of scope) key += `/${entry.kind}:${entry.name}=${entry.index}`;
  return key;
}

/** The key of the enclosing scope alone (no node): what a join or trigger group hangs off. */
export function scopeKey(scope: readonly ScopeEntry[]): string {
  return scope.map((e) => `${e.kind}:${e.name}=${e.index}`).join('/');
}

export class InstanceKeyError extends Error {
  readonly code = 'IR_BAD_INSTANCE_KEY';
}

const SEGMENT = /^(map|loop):([^/:=]+)=(0|[1-9][0-9]*)$/;

/**
 * Parses a key built by `instanceKey`. Map counts are not in the key, so parsed map entries
 * have `count: -1`. Throws `InstanceKeyError` on anything `instanceKey` cannot produce.
 *
 * @example
 * parseInstanceKey('score/map:resize=2/loop:refine=4').scope[1]; // { kind: 'loop', name: 'refine', index: 4 }
 */
export function parseInstanceKey(key: string): InstanceRef {
  const [node = '', ...segments] = key.split('/');
  if (!NODE_NAME_PATTERN.test(node)) {
    throw new InstanceKeyError(`IR_BAD_INSTANCE_KEY: "${key}" does not start with a node name`);
  }
  const scope: ScopeEntry[] = segments.map((segment) => {
    const match = SEGMENT.exec(segment);
    const kind = match?.[1];
    const name = match?.[2];
    const index = Number(match?.[3]);
    if (!match || name === undefined || !NODE_NAME_PATTERN.test(name)) {
      throw new InstanceKeyError(
        `IR_BAD_INSTANCE_KEY: segment "${segment}" of "${key}" is not map:<name>=<n> or loop:<name>=<n>`,
      );
    }
    return kind === 'map' ? { kind: 'map', name, index, count: -1 } : { kind: 'loop', name, index };
  });
  return { node, scope };
}
