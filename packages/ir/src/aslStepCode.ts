/**
 * Step code for states imported from Step Functions. Every module is a fixed program (the
 * constant text below) plus one line holding the state's settings as data:
 * `const state = JSON.parse("<the settings as a JSON string>");`. Nothing from the definition
 * (state names, resources, error names, causes, results) is ever written into the code itself
 * or into a comment: a state named `x\n globalThis.pwned = 1 //` stays a string the program
 * reads. `aslStepCode.test.ts` loads modules built from hostile names and proves it.
 */

/** The key a Task's output carries when one of its Catchers caught the error. */
export const ASL_CATCH_KEY = 'jointflow:aslCatch';

/** One Retrier, as the generated Task code applies it. */
export interface AslRetrier {
  errorEquals: string[];
  maxAttempts: number;
  intervalSeconds: number;
  backoffRate: number;
  /** `null`: no cap. */
  maxDelaySeconds: number | null;
  jitter: 'FULL' | 'NONE';
}

/** One Catcher: matched errors become `{ [ASL_CATCH_KEY]: index, output }`. */
export interface AslCatcher {
  errorEquals: string[];
  /** Where `{ Error, Cause }` goes in the input: path segments, `[]` for `$`, `null` to drop it. */
  resultPath: (string | number)[] | null;
}

/** The settings a generated module reads; one variant per kind of state. */
export type AslStepSpec =
  | {
      kind: 'task';
      state: string;
      resource: string;
      retry: AslRetrier[];
      catch: AslCatcher[];
      /** Per attempt, as ASL's TimeoutSeconds; `null`: none. */
      timeoutSeconds: number | null;
    }
  | { kind: 'pass'; state: string; what: string }
  | { kind: 'result'; state: string; result: unknown }
  | { kind: 'wait'; state: string; seconds: number }
  | { kind: 'fail'; state: string; error: string; cause: string }
  | { kind: 'wrap'; state: string; what: string };

/**
 * A JavaScript string literal for `text`. JSON.stringify escapes quotes, backslashes and
 * control characters; U+2028 and U+2029 are escaped too, so the literal is the same in every
 * JavaScript and TypeScript version and in tools that still treat them as line breaks.
 */
export function stringLiteral(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The one line of a generated module that holds data: the spec, parsed from a string literal. */
function dataLine(spec: AslStepSpec): string {
  return `const state = JSON.parse(${stringLiteral(JSON.stringify(spec))});`;
}

const HEADER = [
  '// Imported from AWS Step Functions. `state` holds the imported settings (its name, and',
  '// for a Task the resource, Retry and Catch); they are data the code below reads, so edit',
  '// them there.',
];

/** The pass-through call of an imported Task until someone writes the real one. */
export const TASK_STUB = 'async function callResource(input, _ctx) {\n  return input;\n}';

const BODIES: Record<AslStepSpec['kind'], string[]> = {
  pass: ['export async function handler(input) {', '  return input;', '}'],
  wrap: ['export async function handler(input) {', '  return [input];', '}'],
  result: ['export async function handler(_input) {', '  return state.result;', '}'],
  wait: [
    '// A function holds (and is billed for) the wait.',
    'export async function handler(input) {',
    '  await new Promise((resolve) => setTimeout(resolve, state.seconds * 1000));',
    '  return input;',
    '}',
  ],
  fail: [
    'export async function handler(_input) {',
    "  const error = new Error(state.error + ': ' + state.cause);",
    '  error.name = state.error;',
    '  throw error;',
    '}',
  ],
  task: [
    '// The call the Task made (state.resource names it). Until it is written here, the step',
    '// passes its input through unchanged.',
    ...TASK_STUB.split('\n'),
    '',
    '// Retry and Catch as Step Functions applies them: the first Retrier whose ErrorEquals',
    '// matches decides (MaxAttempts, IntervalSeconds, BackoffRate, MaxDelaySeconds, Jitter);',
    '// once it is exhausted the first matching Catcher turns the error into output.',
    'export async function handler(input, ctx) {',
    '  const retried = state.retry.map(() => 0);',
    '  for (;;) {',
    '    try {',
    '      return await attempt(input, ctx);',
    '    } catch (error) {',
    '      const name = errorName(error);',
    '      const r = state.retry.findIndex((retrier) => matches(retrier.errorEquals, name));',
    '      const retrier = state.retry[r];',
    '      if (retrier !== undefined && retried[r] < retrier.maxAttempts) {',
    '        let delay = retrier.intervalSeconds * retrier.backoffRate ** retried[r];',
    '        if (retrier.maxDelaySeconds !== null) delay = Math.min(delay, retrier.maxDelaySeconds);',
    "        if (retrier.jitter === 'FULL') delay = Math.random() * delay;",
    '        retried[r] += 1;',
    '        await new Promise((resolve) => setTimeout(resolve, delay * 1000));',
    '        continue;',
    '      }',
    '      const c = state.catch.findIndex((catcher) => matches(catcher.errorEquals, name));',
    '      const catcher = state.catch[c];',
    '      if (catcher === undefined) throw error;',
    '      const cause = error instanceof Error ? error.message : String(error);',
    '      return {',
    '        [CATCH_KEY]: c,',
    '        output: placed(input, catcher.resultPath, { Error: name, Cause: cause }),',
    '      };',
    '    }',
    '  }',
    '}',
    '',
    'async function attempt(input, ctx) {',
    '  if (state.timeoutSeconds === null) return callResource(input, ctx);',
    '  let timer;',
    '  const timeout = new Promise((_resolve, reject) => {',
    '    timer = setTimeout(() => {',
    "      const error = new Error('the Task ran longer than ' + state.timeoutSeconds + ' s');",
    "      error.name = 'States.Timeout';",
    '      reject(error);',
    '    }, state.timeoutSeconds * 1000);',
    '  });',
    '  try {',
    '    return await Promise.race([callResource(input, ctx), timeout]);',
    '  } finally {',
    '    clearTimeout(timer);',
    '  }',
    '}',
    '',
    'function errorName(error) {',
    "  return error instanceof Error ? error.name : 'States.TaskFailed';",
    '}',
    '',
    'function matches(errorEquals, name) {',
    '  if (errorEquals.includes(name)) return true;',
    "  if (name === 'States.Runtime') return false;",
    "  if (errorEquals.includes('States.ALL')) return true;",
    "  return name !== 'States.Timeout' && errorEquals.includes('States.TaskFailed');",
    '}',
    '',
    '// ResultPath of a Catcher: null keeps the input, [] replaces it, a path sets that field.',
    'function placed(input, path, value) {',
    '  if (path === null) return input;',
    '  if (path.length === 0) return value;',
    "  const root = input !== null && typeof input === 'object' ? structuredClone(input) : {};",
    '  let at = root;',
    '  for (const [i, key] of path.entries()) {',
    '    if (i === path.length - 1) at[key] = value;',
    "    else if (at[key] === null || typeof at[key] !== 'object') at = at[key] = {};",
    '    else at = at[key];',
    '  }',
    '  return root;',
    '}',
  ],
};

/**
 * The code of one imported step: the fixed program for its kind, reading `spec` as data.
 *
 * @example
 * aslStepCode({ kind: 'fail', state: 'Bad', error: 'E', cause: 'why' });
 */
export function aslStepCode(spec: AslStepSpec): string {
  const lines = [...HEADER, dataLine(spec)];
  if (spec.kind === 'task') lines.push(`const CATCH_KEY = ${stringLiteral(ASL_CATCH_KEY)};`);
  lines.push('', ...BODIES[spec.kind], '');
  return lines.join('\n');
}

/**
 * The settings an imported step's code holds, read back from its data line; undefined when the
 * code is not (or no longer) an imported step's. For tests and tools that show what was imported.
 *
 * @example
 * readAslStepSpec(aslStepCode(spec)); // deep-equals spec
 */
export function readAslStepSpec(code: string): AslStepSpec | undefined {
  const line = /^const state = JSON\.parse\(("(?:[^"\\\n]|\\.)*")\);$/m.exec(code)?.[1];
  if (line === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(JSON.parse(line) as string);
    if (value === null || typeof value !== 'object' || !('kind' in value)) return undefined;
    return value as AslStepSpec;
  } catch {
    return undefined;
  }
}
