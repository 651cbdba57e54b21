/**
 * Translates Step Functions Choice Rules into JSONata guards over the state's input. Comparisons
 * are guarded by a type test, as ASL treats a comparison against a value of the wrong type as
 * false rather than an error.
 */

/**
 * A translated rule. `contextPaths`: the `$$` paths (the context object) it compares; guards
 * cannot read the context object, so those comparisons are false and the importer names them.
 */
export type Translated = { guard: string; contextPaths: string[] } | { problem: string };

/** JSONata words that cannot be a bare field name. */
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/** The unbound JSONata variable `$$` paths become: it reads as undefined, so tests are false. */
const CONTEXT_VARIABLE = '$aslContext';

const STRING_OPS: Record<string, string> = {
  StringEquals: '=',
  StringLessThan: '<',
  StringGreaterThan: '>',
  StringLessThanEquals: '<=',
  StringGreaterThanEquals: '>=',
};
const NUMERIC_OPS: Record<string, string> = {
  NumericEquals: '=',
  NumericLessThan: '<',
  NumericGreaterThan: '>',
  NumericLessThanEquals: '<=',
  NumericGreaterThanEquals: '>=',
};
const TIMESTAMP_OPS: Record<string, string> = {
  TimestampEquals: '=',
  TimestampLessThan: '<',
  TimestampGreaterThan: '>',
  TimestampLessThanEquals: '<=',
  TimestampGreaterThanEquals: '>=',
};

/**
 * A JSONPath like `$.order.items[0]['unit price']` or `$.detail-type` as a JSONata path (`$` alone
 * stays `$`); undefined for what it cannot translate (filters, wildcards, `..`, backticks).
 */
export function jsonPathToJsonata(path: string): string | undefined {
  if (path === '$') return '$';
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  return steps(path.slice(1), []);
}

function steps(rest: string, out: string[]): string | undefined {
  let left = rest;
  while (left !== '') {
    const dotted = /^\.([^.[\]`'"]+)/.exec(left);
    const quoted = /^\['([^'`]*)'\]/.exec(left) ?? /^\["([^"`]*)"\]/.exec(left);
    const index = /^\[(\d+)\]/.exec(left);
    const name = dotted?.[1] ?? quoted?.[1];
    if (name !== undefined) {
      const bare = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name);
      out.push(bare ? name : `\`${name}\``);
      left = left.slice((dotted ?? quoted)?.[0].length ?? left.length);
    } else if (index?.[1] !== undefined) {
      const last = out.pop();
      out.push(last === undefined ? `$[${index[1]}]` : `${last}[${index[1]}]`);
      left = left.slice(index[0].length);
    } else {
      return undefined;
    }
  }
  return out.join('.');
}

/** A Choice Variable or `*Path` operand: an input path, or a `$$` context path (recorded). */
function variablePath(path: string, contextPaths: string[]): string | undefined {
  if (!path.startsWith('$$')) return jsonPathToJsonata(path);
  const rest = steps(path.slice(2), []);
  if (rest === undefined) return undefined;
  contextPaths.push(path);
  return rest === '' ? CONTEXT_VARIABLE : `${CONTEXT_VARIABLE}.${rest}`;
}

/** Guard for one Choice Rule (an object with Variable + operator, or And/Or/Not, or Condition). */
export function choiceRuleToJsonata(rule: unknown): Translated {
  const contextPaths: string[] = [];
  const t = translateRule(rule, contextPaths);
  return 'problem' in t ? t : { guard: t.guard, contextPaths };
}

type Inner = { guard: string } | { problem: string };

function translateRule(rule: unknown, contextPaths: string[]): Inner {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    return { problem: 'a choice rule must be an object' };
  }
  const r = rule as Record<string, unknown>;
  if (typeof r.Condition === 'string') {
    const m = /^\{%([\s\S]*)%\}$/.exec(r.Condition.trim());
    const body = m?.[1]?.trim();
    if (body === undefined)
      return { problem: `Condition "${r.Condition}" is not a {% JSONata %} expression` };
    return { guard: body.replaceAll('$states.input', '$') };
  }
  if (Array.isArray(r.And) || Array.isArray(r.Or)) {
    const list = (Array.isArray(r.And) ? r.And : r.Or) as unknown[];
    const joined: string[] = [];
    for (const inner of list) {
      const t = translateRule(inner, contextPaths);
      if ('problem' in t) return t;
      joined.push(`(${t.guard})`);
    }
    if (joined.length === 0) return { problem: 'And/Or needs at least one rule' };
    return { guard: joined.join(Array.isArray(r.And) ? ' and ' : ' or ') };
  }
  if (r.Not !== undefined) {
    const t = translateRule(r.Not, contextPaths);
    return 'problem' in t ? t : { guard: `$not(${t.guard})` };
  }
  if (typeof r.Variable !== 'string')
    return { problem: 'a choice rule needs Variable, And, Or, Not or Condition' };
  const v = variablePath(r.Variable, contextPaths);
  if (v === undefined)
    return {
      problem: `Variable "${r.Variable}" uses JSONPath features other than .name, ['name'] and [n]; use a plain path`,
    };
  const operators = Object.keys(r).filter(
    (k) => k !== 'Variable' && k !== 'Next' && k !== 'Comment',
  );
  const op = operators[0];
  if (op === undefined || operators.length !== 1) {
    return { problem: `a choice rule needs exactly one comparison, found ${operators.length}` };
  }
  return comparison(v, op, r[op], contextPaths);
}

function comparison(v: string, op: string, operand: unknown, contextPaths: string[]): Inner {
  const isPath = op.endsWith('Path') && op !== 'IsPresent';
  const baseOp = isPath ? op.slice(0, -'Path'.length) : op;
  let rhs: string;
  if (isPath) {
    if (typeof operand !== 'string') return { problem: `${op} needs a path string` };
    const path = variablePath(operand, contextPaths);
    if (path === undefined) return { problem: `${op} path "${operand}" is not supported` };
    rhs = path;
  } else {
    rhs = JSON.stringify(operand) ?? 'null';
  }
  const stringOp = STRING_OPS[baseOp];
  if (stringOp !== undefined) {
    if (!isPath && typeof operand !== 'string') return { problem: `${op} needs a string` };
    return { guard: `($type(${v}) = "string" and ${v} ${stringOp} ${rhs})` };
  }
  const numericOp = NUMERIC_OPS[baseOp];
  if (numericOp !== undefined) {
    if (!isPath && typeof operand !== 'number') return { problem: `${op} needs a number` };
    return { guard: `($type(${v}) = "number" and ${v} ${numericOp} ${rhs})` };
  }
  const timestampOp = TIMESTAMP_OPS[baseOp];
  if (timestampOp !== undefined) {
    if (!isPath && typeof operand !== 'string')
      return { problem: `${op} needs a timestamp string` };
    return {
      guard: `($type(${v}) = "string" and $toMillis(${v}) ${timestampOp} $toMillis(${rhs}))`,
    };
  }
  switch (baseOp) {
    case 'BooleanEquals':
      if (!isPath && typeof operand !== 'boolean') return { problem: `${op} needs true or false` };
      return { guard: `($type(${v}) = "boolean" and ${v} = ${rhs})` };
    case 'IsPresent':
      return { guard: operand === false ? `$not($exists(${v}))` : `$exists(${v})` };
    case 'IsNull':
      return { guard: operand === false ? `$type(${v}) != "null"` : `$type(${v}) = "null"` };
    case 'IsNumeric':
    case 'IsString':
    case 'IsBoolean': {
      const type = baseOp.slice(2).toLowerCase().replace('numeric', 'number');
      return { guard: `($type(${v}) ${operand === false ? '!=' : '='} "${type}")` };
    }
    case 'IsTimestamp': {
      const test = `($type(${v}) = "string" and $contains(${v}, /^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}/))`;
      return { guard: operand === false ? `$not${test}` : test };
    }
    case 'StringMatches': {
      if (typeof operand !== 'string' || isPath)
        return { problem: 'StringMatches needs a pattern string' };
      const regex = operand
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
        .join('.*');
      return { guard: `($type(${v}) = "string" and $contains(${v}, /^${regex}$/))` };
    }
    default:
      return { problem: `the comparison ${op} is not supported` };
  }
}
