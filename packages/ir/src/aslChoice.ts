/**
 * Translates Step Functions Choice Rules into JSONata guards over the state's input. Comparisons
 * are guarded by a type test, as ASL treats a comparison against a value of the wrong type as
 * false rather than an error.
 */

export type Translated = { guard: string } | { problem: string };

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

/** A JSONPath like `$.order.items[0]['unit price']` as a JSONata path (`$` alone stays `$`). */
export function jsonPathToJsonata(path: string): string | undefined {
  if (path === '$') return '$';
  if (!path.startsWith('$')) return undefined;
  const steps: string[] = [];
  let rest = path.slice(1);
  while (rest !== '') {
    const plain = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    const quoted = /^\['([^'`]*)'\]/.exec(rest) ?? /^\.([^.[\]`]+)/.exec(rest);
    const index = /^\[(\d+)\]/.exec(rest);
    if (plain?.[1] !== undefined) {
      steps.push(plain[1]);
      rest = rest.slice(plain[0].length);
    } else if (quoted?.[1] !== undefined) {
      steps.push(`\`${quoted[1]}\``);
      rest = rest.slice(quoted[0].length);
    } else if (index?.[1] !== undefined) {
      const last = steps.pop();
      steps.push(last === undefined ? `$[${index[1]}]` : `${last}[${index[1]}]`);
      rest = rest.slice(index[0].length);
    } else {
      return undefined;
    }
  }
  return steps.join('.');
}

/** Guard for one Choice Rule (an object with Variable + operator, or And/Or/Not, or Condition). */
export function choiceRuleToJsonata(rule: unknown): Translated {
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
      const t = choiceRuleToJsonata(inner);
      if ('problem' in t) return t;
      joined.push(`(${t.guard})`);
    }
    if (joined.length === 0) return { problem: 'And/Or needs at least one rule' };
    return { guard: joined.join(Array.isArray(r.And) ? ' and ' : ' or ') };
  }
  if (r.Not !== undefined) {
    const t = choiceRuleToJsonata(r.Not);
    return 'problem' in t ? t : { guard: `$not(${t.guard})` };
  }
  if (typeof r.Variable !== 'string')
    return { problem: 'a choice rule needs Variable, And, Or, Not or Condition' };
  const v = jsonPathToJsonata(r.Variable);
  if (v === undefined)
    return {
      problem: `Variable "${r.Variable}" uses JSONPath features other than .name, ['name'] and [n]`,
    };
  const operators = Object.keys(r).filter(
    (k) => k !== 'Variable' && k !== 'Next' && k !== 'Comment',
  );
  const op = operators[0];
  if (op === undefined || operators.length !== 1) {
    return { problem: `a choice rule needs exactly one comparison, found ${operators.length}` };
  }
  return comparison(v, op, r[op]);
}

function comparison(v: string, op: string, operand: unknown): Translated {
  const isPath = op.endsWith('Path') && op !== 'IsPresent';
  const baseOp = isPath ? op.slice(0, -'Path'.length) : op;
  let rhs: string;
  if (isPath) {
    if (typeof operand !== 'string') return { problem: `${op} needs a path string` };
    const path = jsonPathToJsonata(operand);
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
