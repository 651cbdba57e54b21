/**
 * Reads a state's data-flow fields (InputPath, Parameters, ResultSelector, ResultPath,
 * OutputPath) into data the generated step code applies, as Step Functions does: paths become
 * segment lists, Parameters and ResultSelector become templates whose `.$` values are input
 * paths, `$$` context paths or `States.*` intrinsic calls. What cannot be read is a problem
 * naming the field; the importer then leaves that field out and says so.
 */

/**
 * One step of a path: a field name, an array index, or (in paths that select several values)
 * a wildcard `[*]`, a slice `[1:]`, or a filter `[?(@.price < 10)]` comparing a plain path of
 * each element with a literal.
 */
export type AslSegment =
  | string
  | number
  | { any: true }
  | { slice: [number | null, number | null] }
  | { filter: { path: (string | number)[]; op: FilterOp; value: unknown } };

type FilterOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A path as segments from `$` (`[]` is `$`); `null` where ASL allows a null path. */
export type AslPath = AslSegment[] | null;

/** A Parameters or ResultSelector value, ready to be built over the effective input. */
export type AslTemplate =
  | { t: 'lit'; v: unknown }
  | { t: 'obj'; entries: [string, AslTemplate][] }
  | { t: 'arr'; items: AslTemplate[] }
  | { t: 'path'; root: 'input' | 'context'; segs: AslSegment[] }
  | { t: 'fn'; name: string; args: AslTemplate[] };

/** The data-flow settings of one state; absent fields are the identity (`$`, no template). */
export interface AslDataFlow {
  inputPath: AslPath;
  parameters: AslTemplate | null;
  resultSelector: AslTemplate | null;
  resultPath: AslPath;
  outputPath: AslPath;
}

/** The `$$` paths the generated code can answer (see contextObject in aslStepCode.ts). */
const KNOWN_CONTEXT = [
  'Execution.Id',
  'Execution.Name',
  // From the start record, through the runtime's ctx.executionStart().
  'Execution.Input',
  'Execution.StartTime',
  // The workflow's name (ctx.workflow): a Jointflow workflow has no ARN of its own.
  'StateMachine.Id',
  'StateMachine.Name',
  'State.Name',
  'State.EnteredTime',
  'State.RetryCount',
  'Map.Item.Index',
];

/**
 * The `$$` paths in `t` that the step code cannot answer (they fail with States.Runtime).
 * `inMapItem`: `t` is an ItemSelector, where `$$.Map.Item.Value` is known too.
 */
export function unavailableContextPaths(t: AslTemplate | null, inMapItem = false): string[] {
  const known = inMapItem ? [...KNOWN_CONTEXT, 'Map.Item.Value'] : KNOWN_CONTEXT;
  const found: string[] = [];
  const stack: AslTemplate[] = t === null ? [] : [t];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.t === 'obj') stack.push(...top.entries.map(([, v]) => v));
    else if (top.t === 'arr' || top.t === 'fn')
      stack.push(...(top.t === 'arr' ? top.items : top.args));
    else if (top.t === 'path' && top.root === 'context') {
      const path = top.segs.join('.');
      // Known: the path itself, an object above it, or a field inside Map.Item.Value.
      const answered = known.some(
        (k) => k === path || k.startsWith(`${path}.`) || path.startsWith(`${k}.`),
      );
      if (!answered) found.push(`$$.${path}`);
    }
  }
  return found;
}

/** The intrinsic functions the generated code implements. */
export const ASL_INTRINSICS = new Set([
  'States.Format',
  'States.StringToJson',
  'States.JsonToString',
  'States.Array',
  'States.ArrayGetItem',
  'States.ArrayLength',
  'States.ArrayContains',
  'States.ArrayRange',
  'States.ArrayPartition',
  'States.ArrayUnique',
  'States.MathAdd',
  'States.MathRandom',
  'States.UUID',
  'States.StringSplit',
  'States.Base64Encode',
  'States.Base64Decode',
  'States.JsonMerge',
]);

/**
 * Path segments after the root (`$` or `$$`), or undefined for what the step code does not
 * evaluate (`..`, unions like `['a','b']`, filters comparing with another path). `definite`:
 * only names and indexes (a Reference Path, as ResultPath must be).
 */
export function pathSegments(rest: string, definite = false): AslSegment[] | undefined {
  const segments: AslSegment[] = [];
  let left = rest;
  while (left !== '') {
    if (left.startsWith('..')) return undefined;
    // `$.[0]` and `$.['a']` are accepted by the JSONPath library Step Functions uses.
    if (left.startsWith('.[')) left = left.slice(1);
    const dotted = /^\.([^.[\]'"()*?@,\s]+)/.exec(left);
    const quoted = /^\['([^']*)'\]/.exec(left) ?? /^\["([^"]*)"\]/.exec(left);
    const index = /^\[(\d+)\]/.exec(left);
    const plain = dotted ?? quoted ?? index;
    if (plain?.[1] !== undefined) {
      segments.push(plain === index ? Number(plain[1]) : plain[1]);
      left = left.slice(plain[0].length);
      continue;
    }
    if (definite) return undefined;
    const any = /^(\[\*\]|\.\*)/.exec(left);
    const slice = /^\[(-?\d+)?:(-?\d+)?\]/.exec(left);
    const filter =
      /^\[\?\(\s*@((?:\.[A-Za-z_][\w-]*|\['[^']*'\])+)\s*(==|!=|<=|>=|<|>)\s*('[^']*'|"[^"]*"|-?\d+(?:\.\d+)?|true|false|null|[A-Za-z_][\w-]*)\s*\)\]/.exec(
        left,
      );
    if (any !== null) {
      segments.push({ any: true });
      left = left.slice(any[0].length);
    } else if (slice !== null) {
      const bound = (b: string | undefined) => (b === undefined ? null : Number(b));
      segments.push({ slice: [bound(slice[1]), bound(slice[2])] });
      left = left.slice(slice[0].length);
    } else if (filter?.[1] !== undefined && filter[3] !== undefined) {
      const path = pathSegments(filter[1], true) as (string | number)[] | undefined;
      if (path === undefined) return undefined;
      const raw = filter[3];
      // A bare word is compared as a string, as Step Functions' JSONPath library does.
      const value = /^'.*'$/.test(raw)
        ? raw.slice(1, -1)
        : /^[A-Za-z_]/.test(raw) && !['true', 'false', 'null'].includes(raw)
          ? raw
          : JSON.parse(raw);
      segments.push({ filter: { path, op: filter[2] as FilterOp, value } });
      left = left.slice(filter[0].length);
    } else {
      return undefined;
    }
  }
  return segments;
}

/**
 * A path (`$`, `$.a.b`, `$['a-b']`, `$.a[0]`, and unless `definite` also `[*]`, slices and
 * filters) or null; undefined when not one.
 */
export function referencePath(value: unknown, definite = true): AslPath | undefined {
  if (value === null) return null;
  if (typeof value !== 'string' || !value.startsWith('$') || value.startsWith('$$')) {
    return undefined;
  }
  return pathSegments(value.slice(1), definite);
}

type Parsed<T> = { ok: T } | { problem: string };

/** A `.$` value: a path into the input, a `$$` context path, or an intrinsic call. */
function dynamicValue(text: string): Parsed<AslTemplate> {
  const trimmed = text.trim();
  if (trimmed.startsWith('$$')) {
    const segs = pathSegments(trimmed.slice(2));
    return segs === undefined
      ? { problem: `the context path ${JSON.stringify(text)} is not a plain path` }
      : { ok: { t: 'path', root: 'context', segs } };
  }
  if (trimmed.startsWith('$')) {
    const segs = pathSegments(trimmed.slice(1));
    return segs === undefined
      ? {
          problem: `the path ${JSON.stringify(text)} uses JSONPath the step code does not evaluate ('..', unions like ['a','b'], filters against other paths)`,
        }
      : { ok: { t: 'path', root: 'input', segs } };
  }
  if (trimmed.startsWith('States.')) return new IntrinsicParser(trimmed).call();
  return { problem: `${JSON.stringify(text)} is neither a path nor a States.* call` };
}

/** Parses `States.Name(arg, ...)`: strings in single quotes, numbers, literals, paths, calls. */
class IntrinsicParser {
  private at = 0;
  constructor(private readonly text: string) {}

  call(): Parsed<AslTemplate> {
    const result = this.callAt();
    if ('problem' in result) return result;
    this.space();
    if (this.at !== this.text.length) return this.fail('text after the call');
    return result;
  }

  private fail(what: string): { problem: string } {
    return {
      problem: `the intrinsic ${JSON.stringify(this.text)} cannot be read (${what} at character ${this.at + 1})`,
    };
  }

  private space(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private callAt(): Parsed<AslTemplate> {
    const name = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.at))?.[0];
    if (name === undefined) return this.fail('a States.* name expected');
    if (!ASL_INTRINSICS.has(name)) {
      return { problem: `the intrinsic ${name} is not supported by the imported step code` };
    }
    this.at += name.length;
    if (this.text[this.at] !== '(') return this.fail("'(' expected");
    this.at++;
    const args: AslTemplate[] = [];
    this.space();
    if (this.text[this.at] === ')') {
      this.at++;
      return { ok: { t: 'fn', name, args } };
    }
    for (;;) {
      this.space();
      const arg = this.argument();
      if ('problem' in arg) return arg;
      args.push(arg.ok);
      this.space();
      const c = this.text[this.at];
      this.at++;
      if (c === ')') return { ok: { t: 'fn', name, args } };
      if (c !== ',') return this.fail("',' or ')' expected");
    }
  }

  private argument(): Parsed<AslTemplate> {
    const rest = this.text.slice(this.at);
    if (rest.startsWith("'")) {
      let value = '';
      for (let i = 1; i < rest.length; i++) {
        const c = rest[i];
        if (c === '\\' && i + 1 < rest.length) {
          value += rest[i + 1];
          i++;
        } else if (c === "'") {
          this.at += i + 1;
          return { ok: { t: 'lit', v: value } };
        } else value += c;
      }
      return this.fail('unterminated string');
    }
    if (rest.startsWith('States.')) return this.callAt();
    const literal = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)(?=[\s,)])/.exec(rest)?.[0];
    if (literal !== undefined) {
      this.at += literal.length;
      return { ok: { t: 'lit', v: JSON.parse(literal) } };
    }
    const path = /^\$\$?[^,)\s]*/.exec(rest)?.[0];
    if (path !== undefined) {
      this.at += path.length;
      return dynamicValue(path);
    }
    return this.fail('an argument expected');
  }
}

/** A Parameters/ResultSelector/ItemSelector value as a template. */
export function template(value: unknown): Parsed<AslTemplate> {
  if (Array.isArray(value)) {
    const items: AslTemplate[] = [];
    for (const item of value) {
      const t = template(item);
      if ('problem' in t) return t;
      items.push(t.ok);
    }
    return { ok: items.every((i) => i.t === 'lit') ? { t: 'lit', v: value } : { t: 'arr', items } };
  }
  if (value === null || typeof value !== 'object') return { ok: { t: 'lit', v: value } };
  const entries: [string, AslTemplate][] = [];
  for (const [key, inner] of Object.entries(value)) {
    if (key.endsWith('.$')) {
      if (typeof inner !== 'string') return { problem: `"${key}" needs a string value` };
      const t = dynamicValue(inner);
      if ('problem' in t) return { problem: `"${key}": ${t.problem}` };
      entries.push([key.slice(0, -2), t.ok]);
    } else {
      const t = template(inner);
      if ('problem' in t) return t;
      entries.push([key, t.ok]);
    }
  }
  return {
    ok: entries.every(([, t]) => t.t === 'lit') ? { t: 'lit', v: value } : { t: 'obj', entries },
  };
}

/**
 * The data flow of `state` for the fields in `fields` (those its type allows). Fields that
 * cannot be read are listed in `problems` and left at the identity.
 */
export function readDataFlow(
  state: Record<string, unknown>,
  fields: readonly string[],
): { flow: AslDataFlow; problems: string[] } {
  const problems: string[] = [];
  const flow: AslDataFlow = {
    inputPath: [],
    parameters: null,
    resultSelector: null,
    resultPath: [],
    outputPath: [],
  };
  for (const field of ['InputPath', 'ResultPath', 'OutputPath'] as const) {
    if (!fields.includes(field) || state[field] === undefined) continue;
    // InputPath and OutputPath may select several values; ResultPath names one place.
    const path = referencePath(state[field], field === 'ResultPath');
    if (path === undefined) {
      problems.push(
        `${field} ${JSON.stringify(state[field])} uses JSONPath the step code does not evaluate ('..', unions, filters against other paths${field === 'ResultPath' ? ', or wildcards, slices and filters: ResultPath names one place' : ''})`,
      );
    } else if (field === 'InputPath') flow.inputPath = path;
    else if (field === 'ResultPath') flow.resultPath = path;
    else flow.outputPath = path;
  }
  for (const field of ['Parameters', 'ResultSelector'] as const) {
    if (!fields.includes(field) || state[field] === undefined) continue;
    const t = template(state[field]);
    if ('problem' in t) problems.push(`${field}: ${t.problem}`);
    else if (field === 'Parameters') flow.parameters = t.ok;
    else flow.resultSelector = t.ok;
  }
  return { flow, problems };
}

/**
 * A JSONata-mode field value (Arguments, Output) as one JSONata expression: `"{% e %}"` strings
 * become `(e)`, other strings and literals their JSON text (JSONata string literals are JSON's),
 * objects and arrays JSONata constructors. Undefined for a malformed `{%` string.
 */
export function jsonataOf(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const m = /^\s*\{%([\s\S]*)%\}\s*$/.exec(value);
    if (m?.[1] !== undefined) return `(${m[1].trim()})`;
    return value.includes('{%') ? undefined : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    const items = value.map(jsonataOf);
    return items.every((i): i is string => i !== undefined) ? `[${items.join(', ')}]` : undefined;
  }
  if (value !== null && typeof value === 'object') {
    const entries: string[] = [];
    for (const [key, inner] of Object.entries(value)) {
      const v = jsonataOf(inner);
      if (v === undefined) return undefined;
      entries.push(`${JSON.stringify(key)}: ${v}`);
    }
    return `{${entries.join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
