import jsonata from 'jsonata';
import { RuntimeError } from './runtimeError';

/**
 * JSONata evaluation for guards, mappings and map items. Expressions come from the IR, are
 * compiled once per process and never reach `eval`.
 */

const compiled = new Map<string, jsonata.Expression>();

function compile(expression: string): jsonata.Expression {
  let expr = compiled.get(expression);
  if (expr === undefined) {
    try {
      expr = jsonata(expression);
    } catch (error) {
      throw new RuntimeError(
        'RUNTIME_BAD_EXPRESSION',
        `cannot parse JSONata "${expression}": ${(error as Error).message}; fix the expression in the graph and redeploy`,
      );
    }
    compiled.set(expression, expr);
  }
  return expr;
}

/** Evaluates `expression` over `input`; `bindings` become `$name` variables. */
export async function evaluate(
  expression: string,
  input: unknown,
  bindings: Record<string, unknown> = {},
): Promise<unknown> {
  const expr = compile(expression);
  try {
    return await expr.evaluate(input, bindings);
  } catch (error) {
    throw new RuntimeError(
      'RUNTIME_EXPRESSION_FAILED',
      `JSONata "${expression}" failed: ${(error as Error).message}`,
    );
  }
}

/** Evaluates a guard: taken when the value is truthy in JSONata's sense. */
export async function evaluateGuard(
  expression: string,
  input: unknown,
  bindings: Record<string, unknown> = {},
): Promise<boolean> {
  return isTruthy(await evaluate(expression, input, bindings));
}

function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isTruthy);
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}
