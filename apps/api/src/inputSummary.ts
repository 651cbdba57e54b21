/** A one-line preview of an execution's input for lists (at most `max` characters of JSON). */
export function summarizeInput(input: unknown, max = 80): string {
  const text = JSON.stringify(input === undefined ? null : input) ?? 'null';
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
