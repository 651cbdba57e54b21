import { choiceRuleToJsonata, jsonPathToJsonata } from './aslChoice';
import type { Diagnostic } from './diagnostic';
import { type Graph, type GraphInput, graphSchema, NODE_NAME_PATTERN } from './graph';

export interface AslImportResult {
  /** Present exactly when no diagnostic is an error. */
  graph?: Graph;
  diagnostics: Diagnostic[];
}

type NodeInput = GraphInput['nodes'][number];
type EdgeInput = GraphInput['edges'][number];
type Json = Record<string, unknown>;

/** Loop nodes inserted for ASL cycles let the body run this many times before failing. */
const ASL_LOOP_ITERATIONS = 1000;

/** Fields each state type keeps when imported; any other field gets a warning. */
const HONOURED: Record<string, string[]> = {
  Task: ['Type', 'Comment', 'Resource', 'Next', 'End', 'Retry', 'Catch', 'TimeoutSeconds'],
  Pass: ['Type', 'Comment', 'Next', 'End', 'Result'],
  Wait: ['Type', 'Comment', 'Next', 'End', 'Seconds'],
  Succeed: ['Type', 'Comment'],
  Fail: ['Type', 'Comment', 'Error', 'Cause'],
  Choice: ['Type', 'Comment', 'Choices', 'Default'],
  Parallel: ['Type', 'Comment', 'Branches', 'Next', 'End', 'Retry', 'Catch'],
  Map: [
    'Type',
    'Comment',
    'ItemsPath',
    'Items',
    'ItemProcessor',
    'Iterator',
    'Next',
    'End',
    'MaxConcurrency',
    'Retry',
    'Catch',
  ],
};

/**
 * Imports an AWS Step Functions definition (Amazon States Language) as a graph. Task, Pass,
 * Wait, Succeed and Fail become tasks with generated code; Choice becomes a choice with JSONata
 * guards; Parallel becomes a fan-out task plus a join; Map (ItemProcessor or Iterator) becomes a
 * map plus a join; a cycle gets a loop node that bounds it. Retry becomes the node's retry
 * count; Catch is reported (Jointflow fails the execution once a step's retries are exhausted).
 * Whatever cannot be carried over is a diagnostic naming the state; nothing is dropped silently.
 * Never throws.
 *
 * @example
 * const { graph, diagnostics } = importAsl(JSON.parse(definitionText));
 */
export function importAsl(definition: unknown): AslImportResult {
  try {
    return new AslImport().run(definition);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'ASL_INTERNAL',
          message: `the ASL import failed unexpectedly (${detail}); please report it with the definition`,
        },
      ],
    };
  }
}

interface MachineResult {
  entry: string;
  /** Nodes whose output ends the (sub-)machine. */
  exits: string[];
}

class AslImport {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly nodes: NodeInput[] = [];
  private readonly edges: EdgeInput[] = [];
  private readonly usedNames = new Set<string>();

  private report(
    severity: Diagnostic['severity'],
    code: string,
    message: string,
    node?: string,
  ): void {
    const d: Diagnostic = { severity, code, message };
    if (node !== undefined) d.node = node;
    this.diagnostics.push(d);
  }

  run(definition: unknown): AslImportResult {
    if (!isObject(definition)) {
      this.report(
        'error',
        'ASL_INVALID',
        'the definition must be a JSON object with StartAt and States',
      );
      return { diagnostics: this.diagnostics };
    }
    const machine = this.machine(definition, '', 'the state machine');
    if (machine !== undefined && !this.diagnostics.some((d) => d.severity === 'error')) {
      const comment = typeof definition.Comment === 'string' ? definition.Comment : undefined;
      const input: GraphInput = {
        name: comment?.slice(0, 200) || 'imported state machine',
        description: 'Imported from an AWS Step Functions definition.',
        nodes: this.nodes,
        edges: this.edges,
      };
      const parsed = graphSchema.safeParse(input);
      if (parsed.success) return { graph: parsed.data, diagnostics: this.diagnostics };
      this.report(
        'error',
        'ASL_INTERNAL',
        `the imported graph is invalid: ${parsed.error.issues[0]?.message}; please report it`,
      );
    }
    return { diagnostics: this.diagnostics };
  }

  private name(stateName: string, prefix: string): string {
    let base = `${prefix}${stateName}`.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^[^a-zA-Z]+/, '');
    if (base === '') base = 'state';
    base = base.slice(0, 56);
    let name = base;
    for (let i = 2; this.usedNames.has(name) || !NODE_NAME_PATTERN.test(name); i++)
      name = `${base}-${i}`;
    this.usedNames.add(name);
    return name;
  }

  private edge(source: string, target: string, guard?: string): void {
    const e: EdgeInput = { id: `e${this.edges.length + 1}`, source, target };
    if (guard !== undefined) e.guard = guard;
    this.edges.push(e);
  }

  private task(name: string, code: string, extra: Partial<NodeInput> = {}): void {
    this.nodes.push({ kind: 'task', name, cloud: 'auto', retries: 0, code, ...extra } as NodeInput);
  }

  /** Translates one (sub-)machine: `{ StartAt, States }`. */
  private machine(m: Json, prefix: string, what: string): MachineResult | undefined {
    const states = m.States;
    if (typeof m.StartAt !== 'string' || !isObject(states)) {
      this.report(
        'error',
        'ASL_INVALID',
        `${what} needs StartAt (a state name) and States (an object)`,
      );
      return undefined;
    }
    if (!isObject(states[m.StartAt])) {
      this.report(
        'error',
        'ASL_INVALID',
        `${what} starts at "${m.StartAt}", which is not one of its States`,
      );
      return undefined;
    }

    // Which states the transitions reach (Catch targets are not followed), and which
    // transitions close a cycle (their target is on the depth-first stack).
    const reachable = new Set<string>();
    const backTargets = new Set<string>();
    const onStack = new Set<string>();
    const visit = (name: string): void => {
      reachable.add(name);
      onStack.add(name);
      for (const next of transitions(states[name])) {
        if (!isObject(states[next])) continue;
        if (onStack.has(next)) backTargets.add(next);
        else if (!reachable.has(next)) visit(next);
      }
      onStack.delete(name);
    };
    visit(m.StartAt);

    for (const [name, state] of Object.entries(states)) {
      if (reachable.has(name)) continue;
      const why = catchTargets(states).has(name)
        ? ' (only a Catch leads to it, and Catch is not imported)'
        : '';
      this.report(
        'warning',
        'ASL_STATE_NOT_IMPORTED',
        `state "${name}" is not reachable${why}; it was not imported`,
      );
      void state;
    }

    const entryOf = new Map<string, string>();
    const exitOf = new Map<string, string>();
    const exits: string[] = [];
    for (const name of reachable) {
      const state = states[name];
      if (!isObject(state)) continue;
      const built = this.state(name, state, prefix);
      if (built === undefined) continue;
      entryOf.set(name, built.entry);
      exitOf.set(name, built.exit);
      if (built.ends) exits.push(built.exit);
    }

    // One loop node per cycle target: transitions that close a cycle enter it, and it either
    // goes round again or, after ASL_LOOP_ITERATIONS, fails the run.
    const loopOf = new Map<string, string>();
    for (const target of backTargets) {
      const entry = entryOf.get(target);
      if (entry === undefined) continue;
      const loop = this.name(`${target}-loop`, prefix);
      const exhausted = this.name(`${target}-loop-exhausted`, prefix);
      this.nodes.push({
        kind: 'loop',
        name: loop,
        cloud: 'auto',
        maxIterations: ASL_LOOP_ITERATIONS,
      });
      this.task(
        exhausted,
        failCode(
          target,
          'States.LoopLimit',
          `the cycle back to "${target}" ran ${ASL_LOOP_ITERATIONS} times`,
        ),
      );
      this.edge(loop, entry, `$iteration < ${ASL_LOOP_ITERATIONS - 1}`);
      this.edge(loop, exhausted);
      exits.push(exhausted);
      loopOf.set(target, loop);
      this.report(
        'warning',
        'ASL_LOOP_BOUNDED',
        `the cycle back to state "${target}" goes through loop node "${loop}", which fails the run after ${ASL_LOOP_ITERATIONS} rounds`,
        loop,
      );
    }

    const into = (from: string, to: string): string | undefined => {
      if (backTargets.has(to) && isBackEdge(states, m.StartAt as string, from, to))
        return loopOf.get(to);
      return entryOf.get(to);
    };
    for (const name of reachable) {
      const state = states[name];
      const exit = exitOf.get(name);
      if (!isObject(state) || exit === undefined) continue;
      if (state.Type === 'Choice') {
        const rules = Array.isArray(state.Choices) ? state.Choices : [];
        for (const [i, rule] of rules.entries()) {
          const next = isObject(rule) && typeof rule.Next === 'string' ? rule.Next : undefined;
          const target = next === undefined ? undefined : into(name, next);
          const translated = choiceRuleToJsonata(rule);
          if ('problem' in translated) {
            this.report(
              'error',
              'ASL_CHOICE_RULE',
              `choice rule ${i + 1} of state "${name}": ${translated.problem}`,
              exit,
            );
          } else if (target === undefined) {
            this.report(
              'error',
              'ASL_INVALID',
              `choice rule ${i + 1} of state "${name}" goes to "${next}", which is not a state`,
              exit,
            );
          } else {
            this.edge(exit, target, translated.guard);
          }
        }
        if (typeof state.Default === 'string') {
          const target = into(name, state.Default);
          if (target === undefined) {
            this.report(
              'error',
              'ASL_INVALID',
              `the Default of state "${name}" is "${state.Default}", which is not a state`,
              exit,
            );
          } else this.edge(exit, target);
        }
      } else if (typeof state.Next === 'string') {
        const target = into(name, state.Next);
        if (target === undefined) {
          this.report(
            'error',
            'ASL_INVALID',
            `state "${name}" goes to "${state.Next}", which is not a state`,
            exit,
          );
        } else this.edge(exit, target);
      }
    }

    let entry = entryOf.get(m.StartAt) ?? '';
    if (backTargets.has(m.StartAt)) {
      // The first state is also a cycle's target: a pass-through step receives the input so
      // the start has no incoming edge and the loop is entered from outside.
      const enter = this.name(`${m.StartAt}-enter`, prefix);
      this.task(enter, passCode(m.StartAt, 'entry to the cycle'));
      this.edge(enter, entry);
      entry = enter;
    }
    return { entry, exits };
  }

  /** Builds the node(s) of one state. `ends`: the state ends its machine (End, Succeed, Fail). */
  private state(
    stateName: string,
    state: Json,
    prefix: string,
  ): { entry: string; exit: string; ends: boolean } | undefined {
    const type = typeof state.Type === 'string' ? state.Type : '';
    const honoured = HONOURED[type];
    if (honoured === undefined) {
      this.report(
        'error',
        'ASL_UNSUPPORTED_STATE',
        `state "${stateName}" has Type "${type}", which Jointflow cannot import; replace it with a Task`,
      );
      return undefined;
    }
    const name = this.name(stateName, prefix);
    const ignored = Object.keys(state).filter((k) => !honoured.includes(k));
    if (ignored.length > 0) {
      this.report(
        'warning',
        'ASL_FIELD_IGNORED',
        `state "${stateName}": ${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} not imported; do that data shaping in the step code or an edge mapping`,
        name,
      );
    }
    const ends = state.End === true || type === 'Succeed' || type === 'Fail';
    const settings = this.retrySettings(stateName, state, name);
    switch (type) {
      case 'Task': {
        const resource =
          typeof state.Resource === 'string' ? state.Resource : 'an unnamed resource';
        const code = [
          `// Imported from AWS Step Functions: Task state "${stateName}".`,
          `// It replaced the resource ${resource}; call that service here.`,
          '// Until then the step passes its input through unchanged.',
          'export async function handler(input: unknown) {',
          '  return input;',
          '}',
          '',
        ].join('\n');
        this.task(name, code, settings);
        return { entry: name, exit: name, ends };
      }
      case 'Pass': {
        const body = state.Result === undefined ? 'input' : JSON.stringify(state.Result);
        this.task(
          name,
          [
            `// Imported from AWS Step Functions: Pass state "${stateName}".`,
            `export async function handler(${state.Result === undefined ? 'input: unknown' : '_input: unknown'}) {`,
            `  return ${body};`,
            '}',
            '',
          ].join('\n'),
        );
        return { entry: name, exit: name, ends };
      }
      case 'Wait': {
        const seconds = typeof state.Seconds === 'number' && state.Seconds >= 0 ? state.Seconds : 0;
        if (typeof state.Seconds !== 'number') {
          this.report(
            'warning',
            'ASL_WAIT_SIMPLIFIED',
            `Wait state "${stateName}" has no fixed Seconds; the imported step does not wait`,
            name,
          );
        }
        const timeoutMs = Math.min(900_000, Math.max(30_000, seconds * 1000 + 10_000));
        if (seconds * 1000 + 10_000 > 900_000) {
          this.report(
            'error',
            'ASL_WAIT_TOO_LONG',
            `Wait state "${stateName}" waits ${seconds} s, longer than a function may run (15 min); split the wait or use a timer outside`,
            name,
          );
        }
        this.task(
          name,
          [
            `// Imported from AWS Step Functions: Wait state "${stateName}" (${seconds} s).`,
            '// A function holds (and is billed for) the wait.',
            'export async function handler(input: unknown) {',
            `  await new Promise((resolve) => setTimeout(resolve, ${seconds * 1000}));`,
            '  return input;',
            '}',
            '',
          ].join('\n'),
          { timeoutMs },
        );
        return { entry: name, exit: name, ends };
      }
      case 'Succeed':
        this.task(name, passCode(stateName, 'Succeed state: the run ends with this input'));
        return { entry: name, exit: name, ends };
      case 'Fail': {
        const error = typeof state.Error === 'string' ? state.Error : 'States.Fail';
        const cause =
          typeof state.Cause === 'string' ? state.Cause : `state "${stateName}" failed the run`;
        this.task(name, failCode(stateName, error, cause));
        return { entry: name, exit: name, ends };
      }
      case 'Choice':
        this.nodes.push({ kind: 'choice', name, cloud: 'auto' });
        if (!Array.isArray(state.Choices) || state.Choices.length === 0) {
          this.report(
            'error',
            'ASL_INVALID',
            `Choice state "${stateName}" needs a non-empty Choices array`,
            name,
          );
        }
        return { entry: name, exit: name, ends: false };
      case 'Parallel': {
        const branches = Array.isArray(state.Branches) ? state.Branches : [];
        if (branches.length === 0) {
          this.report(
            'error',
            'ASL_INVALID',
            `Parallel state "${stateName}" needs a non-empty Branches array`,
            name,
          );
          return undefined;
        }
        this.task(
          name,
          passCode(stateName, 'Parallel state: every branch gets this input'),
          settings,
        );
        const join = this.name(`${stateName}-join`, prefix);
        if (branches.length === 1) {
          // One branch is no fan-out: a step wraps its output in an array, as Parallel does.
          this.task(
            join,
            [
              `// Imported from AWS Step Functions: the end of Parallel state "${stateName}" (one branch).`,
              'export async function handler(input: unknown) {',
              '  return [input];',
              '}',
              '',
            ].join('\n'),
          );
        } else {
          this.nodes.push({ kind: 'join', name: join, cloud: 'auto', fanOut: name });
        }
        for (const [i, branch] of branches.entries()) {
          const sub = isObject(branch)
            ? this.machine(
                branch,
                `${name}-${i + 1}-`,
                `branch ${i + 1} of Parallel state "${stateName}"`,
              )
            : undefined;
          if (sub === undefined) continue;
          this.edge(name, sub.entry);
          this.edge(this.singleExit(sub, `${name}-${i + 1}-end`), join);
        }
        return { entry: name, exit: join, ends };
      }
      case 'Map': {
        const processor = isObject(state.ItemProcessor)
          ? state.ItemProcessor
          : isObject(state.Iterator)
            ? state.Iterator
            : undefined;
        if (processor === undefined) {
          this.report(
            'error',
            'ASL_INVALID',
            `Map state "${stateName}" needs an ItemProcessor (or Iterator)`,
            name,
          );
          return undefined;
        }
        if (
          isObject(processor.ProcessorConfig) &&
          processor.ProcessorConfig.Mode === 'DISTRIBUTED'
        ) {
          this.report(
            'warning',
            'ASL_FIELD_IGNORED',
            `Map state "${stateName}" is DISTRIBUTED; it is imported as an inline map over an array in the input`,
            name,
          );
        }
        let items = '$';
        if (typeof state.ItemsPath === 'string') {
          const path = jsonPathToJsonata(state.ItemsPath);
          if (path === undefined) {
            this.report(
              'error',
              'ASL_ITEMS_PATH',
              `Map state "${stateName}": ItemsPath "${state.ItemsPath}" uses JSONPath features other than .name, ['name'] and [n]; use a plain path`,
              name,
            );
          } else items = path;
        } else if (typeof state.Items === 'string') {
          const m = /^\{%([\s\S]*)%\}$/.exec(state.Items.trim());
          if (m?.[1] !== undefined) items = m[1].trim().replaceAll('$states.input', '$');
        }
        this.nodes.push({ kind: 'map', name, cloud: 'auto', items });
        const join = this.name(`${stateName}-join`, prefix);
        this.nodes.push({
          kind: 'join',
          name: join,
          cloud: 'auto',
          fanOut: name,
          retries: settings.retries ?? 0,
        });
        const sub = this.machine(
          processor,
          `${name}-`,
          `the ItemProcessor of Map state "${stateName}"`,
        );
        if (sub !== undefined) {
          let first = sub.entry;
          if (this.edges.some((e) => e.target === first)) {
            // The processor's first state is also a cycle's target; a step in between keeps the
            // map's push and the loop's push on separate edges.
            first = this.name(`${stateName}-item`, prefix);
            this.task(first, passCode(stateName, 'one element of the map'));
            this.edge(first, sub.entry);
          }
          this.edge(name, first);
          this.edge(this.singleExit(sub, `${name}-end`), join);
        }
        return { entry: name, exit: join, ends };
      }
      default:
        return undefined;
    }
  }

  /** A sub-machine's one exit; several exits (choice paths) meet at a pass-through step. */
  private singleExit(sub: MachineResult, mergeName: string): string {
    const [only] = sub.exits;
    if (sub.exits.length === 1 && only !== undefined) return only;
    const merge = this.name(mergeName, '');
    this.task(merge, passCode(mergeName, 'where the branch paths meet'));
    for (const exit of sub.exits) this.edge(exit, merge);
    return merge;
  }

  private retrySettings(
    stateName: string,
    state: Json,
    node: string,
  ): { retries?: number; timeoutMs?: number } {
    const settings: { retries?: number; timeoutMs?: number } = {};
    if (Array.isArray(state.Retry)) {
      let attempts = 0;
      let simplified = state.Retry.length > 1;
      for (const retrier of state.Retry) {
        if (!isObject(retrier)) continue;
        attempts = Math.max(
          attempts,
          typeof retrier.MaxAttempts === 'number' ? retrier.MaxAttempts : 3,
        );
        const errors = Array.isArray(retrier.ErrorEquals) ? retrier.ErrorEquals : [];
        if (!(errors.length === 1 && errors[0] === 'States.ALL')) simplified = true;
        if (retrier.IntervalSeconds !== undefined || retrier.BackoffRate !== undefined)
          simplified = true;
      }
      settings.retries = Math.min(10, Math.max(0, Math.floor(attempts)));
      if (simplified) {
        this.report(
          'warning',
          'ASL_RETRY_SIMPLIFIED',
          `state "${stateName}": its Retry became ${settings.retries} retries for any error; error filters, intervals and backoff are not imported`,
          node,
        );
      }
    }
    if (Array.isArray(state.Catch) && state.Catch.length > 0) {
      const targets = state.Catch.map((c) =>
        isObject(c) && typeof c.Next === 'string' ? `"${c.Next}"` : '?',
      ).join(', ');
      this.report(
        'warning',
        'ASL_CATCH_NOT_IMPORTED',
        `state "${stateName}": Catch (to ${targets}) is not imported; after its retries a failing step fails the run. Catch the error in the step's code instead`,
        node,
      );
    }
    if (typeof state.TimeoutSeconds === 'number') {
      settings.timeoutMs = Math.min(
        900_000,
        Math.max(100, Math.round(state.TimeoutSeconds * 1000)),
      );
    }
    return settings;
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function transitions(state: unknown): string[] {
  if (!isObject(state)) return [];
  const out: string[] = [];
  if (state.Type === 'Choice') {
    for (const rule of Array.isArray(state.Choices) ? state.Choices : []) {
      if (isObject(rule) && typeof rule.Next === 'string') out.push(rule.Next);
    }
    if (typeof state.Default === 'string') out.push(state.Default);
  } else if (typeof state.Next === 'string') out.push(state.Next);
  return out;
}

function catchTargets(states: Json): Set<string> {
  const targets = new Set<string>();
  for (const state of Object.values(states)) {
    if (!isObject(state) || !Array.isArray(state.Catch)) continue;
    for (const c of state.Catch) if (isObject(c) && typeof c.Next === 'string') targets.add(c.Next);
  }
  return targets;
}

/** True when `to` is an ancestor of `from` on the depth-first path from the start. */
function isBackEdge(states: Json, start: string, from: string, to: string): boolean {
  const path: string[] = [];
  const seen = new Set<string>();
  const find = (name: string): boolean => {
    path.push(name);
    seen.add(name);
    if (name === from) return true;
    for (const next of transitions(states[name])) {
      if (!seen.has(next) && isObject(states[next]) && find(next)) return true;
    }
    path.pop();
    return false;
  };
  return find(start) && path.includes(to);
}

function passCode(stateName: string, what: string): string {
  return [
    `// Imported from AWS Step Functions: "${stateName}" (${what}).`,
    'export async function handler(input: unknown) {',
    '  return input;',
    '}',
    '',
  ].join('\n');
}

function failCode(stateName: string, error: string, cause: string): string {
  return [
    `// Imported from AWS Step Functions: Fail state "${stateName}".`,
    'export async function handler(_input: unknown) {',
    `  const error = new Error(${JSON.stringify(`${error}: ${cause}`)});`,
    `  error.name = ${JSON.stringify(error)};`,
    '  throw error;',
    '}',
    '',
  ].join('\n');
}
