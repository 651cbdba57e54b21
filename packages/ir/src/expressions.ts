import jsonata from 'jsonata';

/**
 * Parses a JSONata expression without evaluating it. Returns undefined when it parses, else a
 * sentence saying what is wrong and where.
 */
export function jsonataProblem(expression: string): string | undefined {
  if (expression.trim() === '') return 'the expression is empty';
  try {
    jsonata(expression);
    return undefined;
  } catch (error) {
    const detail = error as { message?: unknown; position?: unknown };
    const message = typeof detail.message === 'string' ? detail.message : String(error);
    const position = typeof detail.position === 'number' ? ` at character ${detail.position}` : '';
    return `${message}${position}`;
  }
}
