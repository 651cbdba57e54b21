/**
 * True when `value` nests objects and arrays more than `limit` levels deep. Iterative (an
 * explicit stack), so a definition 100,000 levels deep is measured, not a stack overflow.
 *
 * @example
 * jsonDepthExceeds({ Not: { Not: {} } }, 2); // true: three levels
 */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, depth] = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
