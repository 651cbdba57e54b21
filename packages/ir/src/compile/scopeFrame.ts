/** A frame of an instance's scope stack: inside map `name`, or inside loop `name`. */
export type ScopeFrame = { kind: 'map' | 'loop'; name: string };

/** A scope stack as a comparable key, e.g. `map:m/loop:l`. */
export function scopeText(scope: readonly ScopeFrame[]): string {
  return scope.map((f) => `${f.kind}:${f.name}`).join('/');
}

/** A scope stack as diagnostics name it, e.g. `map "m" > loop "l"`. */
export function describeScope(scope: readonly ScopeFrame[]): string {
  if (scope.length === 0) return 'the top level';
  return scope.map((f) => `${f.kind} "${f.name}"`).join(' > ');
}
