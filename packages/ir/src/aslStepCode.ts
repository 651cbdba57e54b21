/**
 * Step code for states imported from Step Functions. Every module is a fixed program (the
 * constant text below) plus one line holding the state's settings as data:
 * `const state = JSON.parse("<the settings as a JSON string>");`. Nothing from the definition
 * (state names, resources, error names, causes, results) is ever written into the code itself
 * or into a comment: a state named `x\n globalThis.pwned = 1 //` stays a string the program
 * reads. `aslStepCode.test.ts` loads modules built from hostile names and proves it.
 */

import type { AslDataFlow, AslSegment, AslTemplate } from './aslDataFlow';
import { ASL_SDK_CLIENTS, type AslTaskCall } from './aslResources';

/** The key a Task's output carries when one of its Catchers caught the error. */
export const ASL_CATCH_KEY = 'jointflow:aslCatch';

/** The key of a durable Wait's output that holds when the next state may start (epoch ms). */
export const ASL_WAIT_KEY = 'jointflow:aslWaitUntil';

/**
 * The key of a failure token: inside a Parallel or Map with Catch, a step's uncaught error
 * becomes `{ [ASL_FAILED_KEY]: { Error, Cause } }`, which the steps after it pass on and the
 * fan-out's end catches (or fails with) as Step Functions does.
 */
export const ASL_FAILED_KEY = 'jointflow:aslFailed';

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

/**
 * The settings a generated module reads; one variant per kind of state. `io`: the state's
 * InputPath, Parameters, ResultSelector, ResultPath and OutputPath (null: passes data as is).
 */
export type AslStepSpec = AslStepKind & {
  /** Inside a Parallel or Map with Catch: errors become failure tokens, tokens pass through. */
  propagate?: boolean;
  /**
   * The state's data-flow fields as written in the definition (a Task, Pass, Wait or Succeed in
   * JSONPath mode), so the designer can show and edit them (aslEdit.ts); `io` is what runs.
   */
  asl?: { type: 'Task' | 'Pass' | 'Wait' | 'Succeed'; fields: Record<string, unknown> };
};

type AslStepKind =
  | {
      kind: 'task';
      state: string;
      resource: string;
      retry: AslRetrier[];
      catch: AslCatcher[];
      /** Per attempt, as ASL's TimeoutSeconds; `null`: none. */
      timeoutSeconds: number | null;
      io: AslDataFlow | null;
      /** JSONata mode: Arguments arrive evaluated, and Output is evaluated on the edge after. */
      jsonata?: { arguments: boolean; output: boolean } | null;
      /** The AWS call the code makes (aslResources.ts); absent or null: the pass-through stub. */
      call?: AslTaskCall | null;
    }
  | { kind: 'pass'; state: string; what: string; io?: AslDataFlow | null }
  /** A Parallel's fan-out: branches get `effective` (InputPath, Parameters), the join `raw`. */
  | { kind: 'fanout'; state: string; io: AslDataFlow }
  /**
   * Before a Map: InputPath, ItemsPath and ItemSelector (or the legacy Parameters) per item;
   * the map iterates `items`, the result step gets `raw`.
   */
  | {
      kind: 'items';
      state: string;
      io: AslDataFlow;
      itemsPath: AslSegment[];
      itemSelector: AslTemplate | null;
    }
  /** The join of a Parallel or Map with data flow: [...results, raw] -> the state's output. */
  | {
      kind: 'gather';
      state: string;
      io: AslDataFlow;
      shape: 'parallel' | 'map';
      /** The fan-out's Catchers: a failure token among the results is caught by them. */
      catch?: AslCatcher[];
    }
  | { kind: 'result'; state: string; result: unknown; io?: AslDataFlow | null }
  | {
      kind: 'wait';
      state: string;
      /** Seconds, or one of the paths/timestamp below read at run time (after InputPath). */
      seconds: number;
      secondsPath?: AslSegment[] | null;
      timestamp?: string | null;
      timestampPath?: AslSegment[] | null;
      /** The longest wait the step can hold, ms; a longer one fails it (Jointflow.WaitTooLong). */
      maxMs?: number;
      /**
       * A durable wait: the step does not wait, it returns `{ [ASL_WAIT_KEY]: due (epoch ms),
       * output }` and the edge after it holds the next step until then (`notBefore`).
       */
      durable?: boolean;
      io?: AslDataFlow | null;
    }
  | {
      kind: 'fail';
      state: string;
      error: string;
      cause: string;
      /** ErrorPath and CausePath: read from the state's input at run time. */
      errorPath?: AslSegment[] | null;
      causePath?: AslSegment[] | null;
    }
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
export function aslStepDataLine(spec: AslStepSpec): string {
  return `const state = JSON.parse(${stringLiteral(JSON.stringify(spec))});`;
}

const HEADER = [
  '// Imported from AWS Step Functions. `state` holds the imported settings (its name, and',
  '// for a Task the resource, Retry and Catch); they are data the code below reads, so edit',
  '// them there.',
];

/** The pass-through call of an imported Task until someone writes the real one. */
export const TASK_STUB = 'async function callResource(input, _ctx) {\n  return input;\n}';

/** Data flow as Step Functions applies it; shared by every kind that moves data. */
const DATA_FLOW = [
  '// InputPath, then Parameters (`.$` values are paths, $$ context paths or States.* calls).',
  'function effectiveInput(input, ctx, retries, execution) {',
  '  if (!state.io) return input;',
  '  const selected = select(input, state.io.inputPath);',
  '  if (state.io.parameters === null) return selected;',
  '  return build(state.io.parameters, selected, contextObject(ctx, retries, execution));',
  '}',
  '',
  '// ResultSelector over the result, ResultPath into the state input, then OutputPath.',
  'function shapedOutput(input, result, ctx, execution) {',
  '  if (!state.io) return result;',
  '  const selector = state.io.resultSelector;',
  '  const context = contextObject(ctx, 0, execution);',
  '  const picked = selector === null ? result : build(selector, result, context);',
  '  return select(placed(input, state.io.resultPath, picked), state.io.outputPath);',
  '}',
  '',
  'function runtimeError(message) {',
  '  const error = new Error(message);',
  "  error.name = 'States.Runtime';",
  '  return error;',
  '}',
  '',
  '// A path that is not in the data fails the state, as in Step Functions. Once a wildcard,',
  '// slice or filter selects several values, missing fields are skipped and an array results.',
  'function select(value, path) {',
  '  if (path === null) return {};',
  '  let many = false;',
  '  let at = [value];',
  '  for (const segment of path) {',
  '    const next = [];',
  '    for (const v of at) {',
  "      const isObject = v !== null && typeof v === 'object';",
  "      if (typeof segment === 'string' || typeof segment === 'number') {",
  '        if (isObject && segment in v) next.push(v[segment]);',
  "        else if (!many) throw runtimeError('the path ' + JSON.stringify(path) + ' is not in the data');",
  '      } else if (segment.any) {',
  '        if (isObject) next.push(...Object.values(v));',
  '      } else if (segment.slice) {',
  '        if (Array.isArray(v)) next.push(...v.slice(segment.slice[0] ?? 0, segment.slice[1] ?? v.length));',
  '      } else if (Array.isArray(v)) {',
  '        next.push(...v.filter((item) => kept(item, segment.filter)));',
  '      }',
  '    }',
  "    if (typeof segment === 'object') many = true;",
  '    at = next;',
  '  }',
  '  return many ? at : at[0];',
  '}',
  '',
  'function kept(item, filter) {',
  '  let v = item;',
  '  for (const key of filter.path) {',
  "    if (v === null || typeof v !== 'object' || !(key in v)) return false;",
  '    v = v[key];',
  '  }',
  '  switch (filter.op) {',
  "    case '==':",
  '      return v === filter.value;',
  "    case '!=':",
  '      return v !== filter.value;',
  "    case '<':",
  '      return v < filter.value;',
  "    case '<=':",
  '      return v <= filter.value;',
  "    case '>':",
  '      return v > filter.value;',
  '    default:',
  '      return v >= filter.value;',
  '  }',
  '}',
  '',
  '// ResultPath: null keeps the input, [] replaces it, a path sets that field.',
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
  '',
  '// The part of the context object ($$) a step can know.',
  'function contextObject(ctx, retries, execution) {',
  "  const maps = [...String(ctx?.instance ?? '').matchAll(/(?:^|\\/)map:[^/=]+=(\\d+)/g)];",
  '  const index = maps.at(-1)?.[1];',
  '  return {',
  '    Execution: { Id: ctx?.execution, Name: ctx?.execution, ...execution },',
  '    State: { Name: state.state, EnteredTime: new Date().toISOString(), RetryCount: retries },',
  '    ...(index === undefined ? {} : { Map: { Item: { Index: Number(index) } } }),',
  "    ...(typeof ctx?.workflow === 'string'",
  '      ? { StateMachine: { Id: ctx.workflow, Name: ctx.workflow } }',
  '      : {}),',
  '  };',
  '}',
  '',
  "// $$.Execution.Input and StartTime come from the execution's start record, read only when a",
  '// template of this step asks for them (and the host offers ctx.executionStart).',
  'async function executionOf(ctx) {',
  '  const stack = [state.io?.parameters, state.io?.resultSelector, state.itemSelector];',
  '  let asks = false;',
  '  while (stack.length > 0 && !asks) {',
  '    const t = stack.pop();',
  "    if (t === null || typeof t !== 'object') continue;",
  "    if (t.t === 'obj') stack.push(...t.entries.map(([, v]) => v));",
  "    else if (t.t === 'arr') stack.push(...t.items);",
  "    else if (t.t === 'fn') stack.push(...t.args);",
  "    else if (t.t === 'path' && t.root === 'context' && t.segs[0] === 'Execution') {",
  "      asks = t.segs.length === 1 || t.segs[1] === 'Input' || t.segs[1] === 'StartTime';",
  '    }',
  '  }',
  "  if (!asks || typeof ctx?.executionStart !== 'function') return {};",
  '  const { input, startedAt } = await ctx.executionStart();',
  '  return { Input: input, StartTime: new Date(startedAt).toISOString() };',
  '}',
  '',
  'function build(t, value, context) {',
  "  if (t.t === 'lit') return t.v;",
  "  if (t.t === 'obj') return Object.fromEntries(t.entries.map(([k, v]) => [k, build(v, value, context)]));",
  "  if (t.t === 'arr') return t.items.map((item) => build(item, value, context));",
  "  if (t.t === 'path') return select(t.root === 'input' ? value : context, t.segs);",
  '  return intrinsic(t.name, t.args.map((arg) => build(arg, value, context)));',
  '}',
  '',
  'function intrinsic(name, args) {',
  '  const [a, b, c] = args;',
  '  const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);',
  '  switch (name) {',
  "    case 'States.Format': {",
  '      let i = 1;',
  '      return String(a).replace(/\\{\\}/g, () => {',
  '        const v = args[i++];',
  "        return typeof v === 'string' ? v : JSON.stringify(v);",
  '      });',
  '    }',
  "    case 'States.StringToJson':",
  '      return JSON.parse(a);',
  "    case 'States.JsonToString':",
  '      return JSON.stringify(a);',
  "    case 'States.Array':",
  '      return args;',
  "    case 'States.ArrayGetItem':",
  '      return a[b];',
  "    case 'States.ArrayLength':",
  '      return a.length;',
  "    case 'States.ArrayContains':",
  '      return a.some((x) => same(x, b));',
  "    case 'States.ArrayRange': {",
  '      const out = [];',
  '      for (let x = a; c > 0 ? x <= b : x >= b; x += c) {',
  "        if (c === 0 || out.length >= 1000) throw runtimeError('States.ArrayRange: at most 1000 items');",
  '        out.push(x);',
  '      }',
  '      return out;',
  '    }',
  "    case 'States.ArrayPartition': {",
  "      if (!(b >= 1)) throw runtimeError('States.ArrayPartition: the chunk size must be >= 1');",
  '      const out = [];',
  '      for (let i = 0; i < a.length; i += b) out.push(a.slice(i, i + b));',
  '      return out;',
  '    }',
  "    case 'States.ArrayUnique':",
  '      return a.filter((x, i) => a.findIndex((y) => same(x, y)) === i);',
  "    case 'States.MathAdd':",
  '      return a + b;',
  "    case 'States.MathRandom':",
  '      return Math.floor(a + Math.random() * (b - a));',
  "    case 'States.UUID':",
  '      return crypto.randomUUID();',
  "    case 'States.StringSplit':",
  '      return [...String(a)].reduce((parts, ch) => {',
  "        if (String(b).includes(ch)) parts.push('');",
  '        else parts[parts.length - 1] += ch;',
  '        return parts;',
  "      }, ['']).filter((part) => part !== '');",
  "    case 'States.Base64Encode':",
  "      return Buffer.from(String(a), 'utf8').toString('base64');",
  "    case 'States.Base64Decode':",
  "      return Buffer.from(String(a), 'base64').toString('utf8');",
  "    case 'States.JsonMerge':",
  '      return { ...a, ...b };',
  '  }',
  "  throw runtimeError('the intrinsic ' + name + ' is not supported');",
  '}',
];

/** The stub's comment and call, for a Task whose resource Jointflow cannot call. */
const STUB_CALL = [
  '// The call the Task made (state.resource names it). Until it is written here, the step',
  '// passes its input through unchanged.',
  ...TASK_STUB.split('\n'),
];

/**
 * The call of a Task whose resource is a Lambda function or an AWS integration, made with the
 * AWS SDK v3 module imported as `sdk` (the client class and the command are looked up by the
 * names in state.call, which is data).
 */
const SDK_CALL = [
  '// The call the Task makes (state.call says which), with the AWS SDK v3. The client takes its',
  "// region, credentials and endpoint from the SDK's standard chain: the environment",
  "// (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>, ...), the shared config files, the function's role.",
  'let client;',
  'async function callResource(input, _ctx) {',
  '  const call = state.call;',
  "  client ??= new sdk[call.kind === 'sdk' ? call.client : 'LambdaClient']({});",
  "  if (call.kind === 'sdk') return sdkCall(call, input);",
  '  const target =',
  "    call.kind === 'lambda-function' ? { FunctionName: call.functionName, Payload: input } : input;",
  "  if (target === null || typeof target !== 'object' || typeof target.FunctionName !== 'string') {",
  "    throw runtimeError('lambda:invoke needs FunctionName (a string) in its Parameters');",
  '  }',
  '  const { FunctionName, Payload, Qualifier, InvocationType, ClientContext } = target;',
  '  const response = await send(',
  '    new sdk.InvokeCommand({',
  '      FunctionName,',
  '      Qualifier,',
  '      InvocationType,',
  '      ClientContext,',
  '      Payload: new TextEncoder().encode(JSON.stringify(Payload ?? {})),',
  '    }),',
  '  );',
  '  const text = new TextDecoder().decode(response.Payload ?? new Uint8Array(0));',
  "  const payload = text === '' ? null : JSON.parse(text);",
  '  if (response.FunctionError !== undefined) {',
  '    // As Step Functions: the Error is the errorType the function threw, the Cause its answer.',
  '    const error = new Error(text);',
  "    error.name = typeof payload?.errorType === 'string' ? payload.errorType : 'Lambda.Unknown';",
  '    throw error;',
  '  }',
  "  if (call.kind === 'lambda-function') return payload;",
  '  return {',
  '    ExecutedVersion: response.ExecutedVersion,',
  '    Payload: payload,',
  '    StatusCode: response.StatusCode,',
  '    SdkHttpMetadata: { HttpStatusCode: response.$metadata?.httpStatusCode },',
  '    SdkResponseMetadata: { RequestId: response.$metadata?.requestId },',
  '  };',
  '}',
  '',
  '// One SDK command: <Action>Command with the effective input as its parameters.',
  'async function sdkCall(call, input) {',
  "  const name = call.action.charAt(0).toUpperCase() + call.action.slice(1) + 'Command';",
  '  const Command = Object.hasOwn(sdk, name) ? sdk[name] : undefined;',
  "  if (typeof Command !== 'function') throw runtimeError('the SDK has no action ' + call.action);",
  "  if (input === null || typeof input !== 'object' || Array.isArray(input)) {",
  "    throw runtimeError('the parameters of an AWS call must be an object');",
  '  }',
  '  const params = { ...input };',
  '  // The optimized integrations send JSON as its text: an SQS body, an SNS message, an',
  "  // execution input, an EventBridge entry's Detail.",
  '  if (call.optimized) {',
  "    for (const key of ['MessageBody', 'Message', 'Input']) {",
  "      if (key in params && typeof params[key] !== 'string') params[key] = JSON.stringify(params[key]);",
  '    }',
  '    if (Array.isArray(params.Entries)) {',
  '      params.Entries = params.Entries.map((entry) =>',
  "        entry?.Detail !== undefined && typeof entry.Detail !== 'string'",
  '          ? { ...entry, Detail: JSON.stringify(entry.Detail) }',
  '          : entry,',
  '      );',
  '    }',
  '  }',
  '  let response = await plain(',
  '    await send(new Command(call.camelCase ? recased(params, false) : params)),',
  '  );',
  '  if (call.sync) response = await childExecution(response);',
  '  if (call.camelCase) response = recased(response, true);',
  "  if (call.sync === 'execution-json' && typeof response.Output === 'string') {",
  '    response.Output = JSON.parse(response.Output);',
  '  }',
  '  return response;',
  '}',
  '',
  "// A camelCase API (Step Functions' own): keys go in as camelCase and come back PascalCase,",
  "// as Step Functions writes every service's fields. Values (text, numbers) are untouched.",
  'function recased(value, upper) {',
  '  if (Array.isArray(value)) return value.map((item) => recased(item, upper));',
  "  if (value === null || typeof value !== 'object') return value;",
  '  return Object.fromEntries(',
  '    Object.entries(value).map(([key, item]) => [',
  '      (upper ? key.charAt(0).toUpperCase() : key.charAt(0).toLowerCase()) + key.slice(1),',
  '      recased(item, upper),',
  '    ]),',
  '  );',
  '}',
  '',
  '// states:startExecution.sync: wait for the child execution here (0.5 s doubling to 10 s',
  '// between DescribeExecution calls), as long as the step may run.',
  'async function childExecution(started) {',
  '  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {',
  '    const described = await plain(',
  '      await send(new sdk.DescribeExecutionCommand({ executionArn: started.executionArn })),',
  '    );',
  "    if (described.status !== 'RUNNING' && described.status !== 'PENDING_REDRIVE') {",
  "      if (described.status === 'SUCCEEDED') return described;",
  '      const error = new Error(JSON.stringify(recased(described, true)));',
  "      error.name = 'States.TaskFailed';",
  '      throw error;',
  '    }',
  '    await new Promise((resolve) => setTimeout(resolve, delay));',
  '  }',
  '}',
  '',
  'async function send(command) {',
  '  try {',
  '    return await client.send(command);',
  '  } catch (error) {',
  '    // Step Functions names service errors <Service>.<Name>Exception; one that never reached',
  '    // the service (no credentials, no network) is <Service>.SdkClientException.',
  '    const named = new Error(error instanceof Error ? error.message : String(error));',
  "    const name = error instanceof Error ? error.name : 'Error';",
  '    const fromService = error?.$metadata?.httpStatusCode !== undefined;',
  '    named.name =',
  '      state.call.errors +',
  "      '.' +",
  "      (!fromService ? 'SdkClientException' : name.endsWith('Exception') ? name : name + 'Exception');",
  '    throw named;',
  '  }',
  '}',
  '',
  "// The response as JSON: without the SDK's $metadata, bodies read as text, dates as ISO text.",
  'async function plain(response) {',
  '  const out = {};',
  '  for (const [key, value] of Object.entries(response)) {',
  "    if (key === '$metadata') continue;",
  "    if (typeof value?.transformToString === 'function') out[key] = await value.transformToString();",
  '    else if (value instanceof Uint8Array) out[key] = new TextDecoder().decode(value);',
  '    else out[key] = value;',
  '  }',
  '  return JSON.parse(JSON.stringify(out));',
  '}',
];

const BODIES: Record<AslStepSpec['kind'], string[]> = {
  pass: [
    'export async function handler(input, ctx) {',
    '  const execution = await executionOf(ctx);',
    '  return shapedOutput(input, effectiveInput(input, ctx, 0, execution), ctx, execution);',
    '}',
  ],
  wrap: ['export async function handler(input) {', '  return [input];', '}'],
  fanout: [
    'export async function handler(input, ctx) {',
    '  return { raw: input, effective: effectiveInput(input, ctx, 0, await executionOf(ctx)) };',
    '}',
  ],
  items: [
    'export async function handler(input, ctx) {',
    '  const effective = select(input, state.io.inputPath);',
    '  const items = select(effective, state.itemsPath);',
    "  if (!Array.isArray(items)) throw runtimeError('the ItemsPath of the Map does not select an array');",
    '  if (state.itemSelector === null) return { raw: input, items };',
    '  const context = contextObject(ctx, 0, await executionOf(ctx));',
    '  const selected = items.map((value, index) =>',
    '    build(state.itemSelector, effective, { ...context, Map: { Item: { Index: index, Value: value } } }),',
    '  );',
    '  return { raw: input, items: selected };',
    '}',
  ],
  gather: [
    '// The input is [...the branch results (a Parallel) or the item results (a Map), raw input].',
    'export async function handler(input, ctx) {',
    '  const raw = input[input.length - 1];',
    "  const results = state.shape === 'map' ? input[0] : input.slice(0, -1);",
    '  // With Catch: a branch that failed handed on a failure token; the first Catcher that',
    '  // matches its error turns it into output, as for a Task; none matching fails the state.',
    '  const failure = state.catch ? results.map(failureOf).find((f) => f !== undefined) : undefined;',
    '  if (failure === undefined) return shapedOutput(raw, results, ctx, await executionOf(ctx));',
    '  const c = state.catch.findIndex((catcher) => matches(catcher.errorEquals, failure.Error));',
    '  if (c === -1) {',
    '    const error = new Error(failure.Cause);',
    '    error.name = failure.Error;',
    '    throw error;',
    '  }',
    '  return { [CATCH_KEY]: c, output: placed(raw, state.catch[c].resultPath, failure) };',
    '}',
  ],
  result: [
    'export async function handler(input, ctx) {',
    '  return shapedOutput(input, state.result, ctx, await executionOf(ctx));',
    '}',
  ],
  wait: [
    '// A short wait is held (and billed) here. A durable one is not: the step says until when,',
    "// and the edge after it holds the next step in its cloud's queue until that time.",
    'export async function handler(input, ctx) {',
    '  const execution = await executionOf(ctx);',
    '  const effective = effectiveInput(input, ctx, 0, execution);',
    '  const at = dueAt(effective);',
    '  const output = shapedOutput(input, effective, ctx, execution);',
    '  if (state.durable) return { [WAIT_KEY]: at, output };',
    '  await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));',
    '  return output;',
    '}',
    '',
    '// When the wait ends (epoch ms): Seconds, SecondsPath, Timestamp or TimestampPath.',
    'function dueAt(input) {',
    '  let at = Date.now() + state.seconds * 1000;',
    '  if (state.secondsPath) at = Date.now() + Number(select(input, state.secondsPath)) * 1000;',
    '  else if (state.timestamp) at = Date.parse(state.timestamp);',
    '  else if (state.timestampPath) at = Date.parse(select(input, state.timestampPath));',
    "  if (Number.isNaN(at)) throw runtimeError('the Wait state could not read its time from the input');",
    '  if (!state.durable && at - Date.now() > (state.maxMs ?? Infinity)) {',
    "    const error = new Error('the wait of ' + Math.round((at - Date.now()) / 1000) + ' s is longer than this step can hold');",
    "    error.name = 'Jointflow.WaitTooLong';",
    '    throw error;',
    '  }',
    '  return at;',
    '}',
  ],
  fail: [
    'export async function handler(input) {',
    '  const name = state.errorPath ? String(select(input, state.errorPath)) : state.error;',
    '  const cause = state.causePath ? String(select(input, state.causePath)) : state.cause;',
    "  const error = new Error(name + ': ' + cause);",
    '  error.name = name;',
    '  // The Cause alone, for a Parallel or Map that catches this error.',
    '  error.aslCause = cause;',
    '  throw error;',
    '}',
  ],
  task: [
    '// Retry and Catch as Step Functions applies them: the first Retrier whose ErrorEquals',
    '// matches decides (MaxAttempts, IntervalSeconds, BackoffRate, MaxDelaySeconds, Jitter);',
    '// once it is exhausted the first matching Catcher turns the error into output.',
    'export async function handler(received, ctx) {',
    '  // JSONata mode: the step before this one evaluated Arguments into { input, args }.',
    '  const input = state.jsonata?.arguments ? received.input : received;',
    '  const retried = state.retry.map(() => 0);',
    '  const execution = await executionOf(ctx);',
    '  for (;;) {',
    '    try {',
    '      const retries = retried.reduce((sum, n) => sum + n, 0);',
    '      const args = state.jsonata?.arguments',
    '        ? received.args',
    '        : effectiveInput(input, ctx, retries, execution);',
    '      const result = await attempt(args, ctx);',
    '      // JSONata mode: the edge after this step evaluates Output over { input, result }.',
    '      if (state.jsonata) return state.jsonata.output ? { input, result } : result;',
    '      return shapedOutput(input, result, ctx, execution);',
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
  ],
};

/** Error names and failure tokens; in Tasks, in the joins of caught fan-outs, in their steps. */
const FAILURES = [
  'function errorName(error) {',
  "  return error instanceof Error ? error.name : 'States.TaskFailed';",
  '}',
  '',
  '// ErrorEquals as Step Functions reads it: States.ALL matches all but States.Runtime.',
  'function matches(errorEquals, name) {',
  '  if (errorEquals.includes(name)) return true;',
  "  if (name === 'States.Runtime') return false;",
  "  if (errorEquals.includes('States.ALL')) return true;",
  "  return name !== 'States.Timeout' && errorEquals.includes('States.TaskFailed');",
  '}',
  '',
  'function failureOf(value) {',
  "  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;",
  '  return Object.hasOwn(value, FAILED_KEY) ? value[FAILED_KEY] : undefined;',
  '}',
];

/**
 * A step inside a Parallel or Map with Catch: its own program runs as `run`; a failure token
 * coming in passes on untouched, and an error going out becomes one.
 */
const PROPAGATE = [
  '// Inside a Parallel or Map with Catch: an error becomes a failure token that the steps after',
  '// pass on, so the end of the fan-out can catch it as Step Functions does.',
  'export async function handler(input, ctx) {',
  '  if (failureOf(input) !== undefined) return input;',
  '  try {',
  '    return await run(input, ctx);',
  '  } catch (error) {',
  "    const own = typeof error?.aslCause === 'string' ? error.aslCause : undefined;",
  '    const cause = own ?? (error instanceof Error ? error.message : String(error));',
  '    return { [FAILED_KEY]: { Error: errorName(error), Cause: cause } };',
  '  }',
  '}',
];

/**
 * The code of one imported step: the fixed program for its kind, reading `spec` as data.
 *
 * @example
 * aslStepCode({ kind: 'fail', state: 'Bad', error: 'E', cause: 'why' });
 */
export function aslStepCode(spec: AslStepSpec): string {
  const lines = [...HEADER];
  const module = spec.kind === 'task' ? sdkModuleOf(spec.call) : undefined;
  // The module name is ours (ASL_SDK_CLIENTS), never the definition's text.
  if (module !== undefined) lines.push(`import * as sdk from ${stringLiteral(module)};`);
  lines.push(aslStepDataLine(spec));
  if (spec.kind === 'wait') lines.push(`const WAIT_KEY = ${stringLiteral(ASL_WAIT_KEY)};`);
  const failures = spec.kind === 'task' || spec.propagate === true || spec.kind === 'gather';
  if (failures) lines.push(`const FAILED_KEY = ${stringLiteral(ASL_FAILED_KEY)};`);
  if (spec.kind === 'task' || spec.kind === 'gather') {
    lines.push(`const CATCH_KEY = ${stringLiteral(ASL_CATCH_KEY)};`);
  }
  if (spec.kind === 'task') lines.push('', ...(module === undefined ? STUB_CALL : SDK_CALL));
  let body = BODIES[spec.kind];
  if (spec.propagate === true) {
    body = [
      ...body.map((line) =>
        line.startsWith('export async function handler(')
          ? line.replace('export async function handler(', 'async function run(')
          : line,
      ),
      '',
      ...PROPAGATE,
    ];
  }
  lines.push('', ...body, '');
  if (failures) lines.push(...FAILURES, '');
  if (spec.kind !== 'wrap') lines.push(...DATA_FLOW, '');
  return lines.join('\n');
}

/** The SDK module a Task's call needs; undefined for the stub (or a call we have no client for). */
function sdkModuleOf(call: AslTaskCall | null | undefined): string | undefined {
  if (call === undefined || call === null) return undefined;
  const service = call.kind === 'sdk' ? call.service : 'lambda';
  return Object.hasOwn(ASL_SDK_CLIENTS, service) ? ASL_SDK_CLIENTS[service]?.module : undefined;
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
