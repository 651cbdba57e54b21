import { choiceRuleToJsonata, jsonPathToJsonata } from './aslChoice';
import {
  type AslDataFlow,
  type AslPath,
  type AslSegment,
  type AslTemplate,
  jsonataOf,
  readDataFlow,
  referencePath,
  template,
  unavailableContextPaths,
} from './aslDataFlow';
import { jsonDepthExceeds } from './aslDepth';
import { resourceCall } from './aslResources';
import { type ReadCatch, readCatch, readRetry, retryWaitSeconds } from './aslRetry';
import {
  ASL_CATCH_KEY,
  ASL_FAILED_KEY,
  ASL_WAIT_KEY,
  type AslCatcher,
  type AslStepSpec,
  aslStepCode,
  readAslStepSpec,
} from './aslStepCode';
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

/**
 * Definitions nesting deeper than this (objects and arrays) are refused with ASL_TOO_DEEP before
 * any walk: it bounds the recursion into Parallel branches, Map processors and Choice rules, and
 * the JSONata guards a deep `Not` would become. Real definitions stay far below it.
 */
export const ASL_MAX_DEPTH = 200;

/** The longest a step may run (the largest function timeout of the clouds). */
const MAX_STEP_MS = 900_000;

/**
 * Waits up to this long are held by their step; longer ones, and waits read at run time, are
 * durable (an edge's `notBefore`), so no function runs, or is billed, while they last.
 */
const ASL_WAIT_IN_STEP_SECONDS = 60;

/**
 * The data-flow fields the generated code of each state type applies (aslDataFlow.ts); those of
 * a Task, Pass, Wait or Succeed can be edited on the imported step (aslEdit.ts).
 */
export const ASL_DATA_FLOW_FIELDS = {
  Task: ['InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath'],
  Pass: ['InputPath', 'Parameters', 'ResultPath', 'OutputPath'],
  Wait: ['InputPath', 'OutputPath'],
  Succeed: ['InputPath', 'OutputPath'],
  Parallel: ['InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath'],
  // Parameters of a Map is the legacy name of ItemSelector (read in mapState).
  Map: ['InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath'],
} as const;

/** JSONata-mode fields a Task or Pass keeps (Assign is read only to name its loss). */
const JSONATA_FIELDS = ['QueryLanguage', 'Output', 'Assign'];

/** Fields each state type keeps when imported; any other field gets a warning. */
const HONOURED: Record<string, string[]> = {
  Task: [
    'Type',
    'Comment',
    'Resource',
    'Next',
    'End',
    'Retry',
    'Catch',
    'TimeoutSeconds',
    ...ASL_DATA_FLOW_FIELDS.Task,
    ...JSONATA_FIELDS,
    'Arguments',
  ],
  Pass: [
    'Type',
    'Comment',
    'Next',
    'End',
    'Result',
    ...ASL_DATA_FLOW_FIELDS.Pass,
    ...JSONATA_FIELDS,
  ],
  Wait: [
    'Type',
    'Comment',
    'Next',
    'End',
    'Seconds',
    'SecondsPath',
    'Timestamp',
    'TimestampPath',
    ...ASL_DATA_FLOW_FIELDS.Wait,
  ],
  Succeed: ['Type', 'Comment', ...ASL_DATA_FLOW_FIELDS.Succeed],
  Fail: ['Type', 'Comment', 'Error', 'Cause', 'ErrorPath', 'CausePath'],
  Choice: ['Type', 'Comment', 'Choices', 'Default', 'InputPath', 'OutputPath'],
  // Retry and Catch of a Parallel or Map are read only to name their loss (fanOutRetryCatch).
  Parallel: [
    'Type',
    'Comment',
    'Branches',
    'Next',
    'End',
    'Retry',
    'Catch',
    ...ASL_DATA_FLOW_FIELDS.Parallel,
  ],
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
    'MaxConcurrencyPath',
    'Retry',
    'Catch',
    'ItemSelector',
    ...ASL_DATA_FLOW_FIELDS.Map,
  ],
};

/**
 * Imports an AWS Step Functions definition (Amazon States Language) as a graph. Task, Pass,
 * Wait, Succeed and Fail become tasks with generated code; Choice becomes a choice with JSONata
 * guards; Parallel becomes a fan-out task plus a join; Map (ItemProcessor or Iterator) becomes a
 * map plus a join; a cycle gets a loop node that bounds it. A Task's Retry and Catch run in its
 * generated code as Step Functions applies them; a Catch routes through a choice node to its
 * handler state. Generated code holds the definition's text only as data (see aslStepCode.ts).
 * Whatever cannot be carried over is a diagnostic naming the state; nothing is dropped silently.
 * `definition` is the parsed JSON, or its text (a UTF-8 byte order mark is accepted). Never throws.
 *
 * @example
 * const { graph, diagnostics } = importAsl(definitionText);
 */
export function importAsl(definition: unknown): AslImportResult {
  try {
    if (typeof definition === 'string') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(definition.replace(/^\uFEFF/, ''));
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        return {
          diagnostics: [
            {
              severity: 'error',
              code: 'ASL_NOT_JSON',
              message: `the definition is not JSON (${detail}); export it again from Step Functions`,
            },
          ],
        };
      }
      return new AslImport().run(parsed);
    }
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

/** What one state became. */
interface BuiltState {
  entry: string;
  /** The node its Next edge leaves from (and that ends the machine when `ends`). */
  exit: string;
  ends: boolean;
  /**
   * A Task with Catch: the choice node its Catch edges leave from, their targets, and (when the
   * Task ends its machine) the pass-through step the uncaught path ends at.
   */
  caught?: { choice: string; next: string[]; done?: string };
  /** A Choice's InputPath (JSONata the rules are read under) and the mapping of its OutputPath. */
  choiceFlow?: { inputPath?: string; mapping?: string };
}

class AslImport {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly nodes: NodeInput[] = [];
  private readonly edges: EdgeInput[] = [];
  private readonly usedNames = new Set<string>();
  /** The definition's QueryLanguage; a state may set its own. */
  private queryLanguage = 'JSONPath';
  /**
   * The state being built when its data flow is editable on its step (a JSONPath Task, Pass,
   * Wait or Succeed): the step named `node` keeps the ASL fields as written (aslEdit.ts).
   */
  private editable: { node: string; asl: NonNullable<AslStepSpec['asl']> } | undefined;

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
    if (jsonDepthExceeds(definition, ASL_MAX_DEPTH)) {
      this.report(
        'error',
        'ASL_TOO_DEEP',
        `the definition nests objects and arrays more than ${ASL_MAX_DEPTH} levels deep (nested Parallel, Map or Choice rules); flatten it, e.g. split a deep And/Or/Not into several Choice states`,
      );
      return { diagnostics: this.diagnostics };
    }
    if (definition.TimeoutSeconds !== undefined) {
      if (!isNonNegative(definition.TimeoutSeconds)) {
        this.report(
          'error',
          'ASL_NEGATIVE_SECONDS',
          `the state machine's TimeoutSeconds is ${JSON.stringify(definition.TimeoutSeconds)}; it must be a number >= 0`,
        );
      } else {
        this.report(
          'warning',
          'ASL_MACHINE_TIMEOUT',
          `the state machine's TimeoutSeconds (${definition.TimeoutSeconds} s) is not imported: Jointflow bounds each step, not the whole run`,
        );
      }
    }
    if (definition.QueryLanguage === 'JSONata') this.queryLanguage = 'JSONata';
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

  private edge(
    source: string,
    target: string,
    guard?: string,
    mapping?: string,
    notBefore?: string,
  ): void {
    const e: EdgeInput = { id: `e${this.edges.length + 1}`, source, target };
    if (guard !== undefined) e.guard = guard;
    if (mapping !== undefined) e.mapping = mapping;
    if (notBefore !== undefined) e.notBefore = notBefore;
    this.edges.push(e);
  }

  private task(name: string, spec: AslStepSpec, extra: Partial<NodeInput> = {}): void {
    const asl = this.editable?.node === name ? this.editable.asl : undefined;
    this.nodes.push({
      kind: 'task',
      name,
      cloud: 'auto',
      retries: 0,
      code: aslStepCode(asl === undefined ? spec : { ...spec, asl }),
      ...extra,
    } as NodeInput);
  }

  /** Translates one (sub-)machine: `{ StartAt, States }`. */
  private machine(m: Json, prefix: string, what: string): MachineResult | undefined {
    const states = m.States;
    const start = m.StartAt;
    if (typeof start !== 'string' || !isObject(states)) {
      this.report(
        'error',
        'ASL_INVALID',
        `${what} needs StartAt (a state name) and States (an object)`,
      );
      return undefined;
    }
    if (!isObject(states[start])) {
      this.report(
        'error',
        'ASL_INVALID',
        `${what} starts at "${start}", which is not one of its States`,
      );
      return undefined;
    }

    // Which states the transitions reach, and which transitions close a cycle (their target is
    // on the depth-first stack). Iterative: a chain of 25,000 states is no deeper than one.
    const reachable = new Set<string>([start]);
    const backEdges = new Map<string, Set<string>>();
    const onStack = new Set<string>([start]);
    const stack: { name: string; next: string[]; i: number }[] = [
      { name: start, next: transitions(states[start]), i: 0 },
    ];
    for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
      const next = top.next[top.i];
      if (next === undefined) {
        onStack.delete(top.name);
        stack.pop();
        continue;
      }
      top.i += 1;
      if (!isObject(states[next])) continue;
      if (onStack.has(next)) {
        const set = backEdges.get(top.name) ?? new Set<string>();
        set.add(next);
        backEdges.set(top.name, set);
      } else if (!reachable.has(next)) {
        reachable.add(next);
        onStack.add(next);
        stack.push({ name: next, next: transitions(states[next]), i: 0 });
      }
    }
    const backTargets = new Set([...backEdges.values()].flatMap((set) => [...set]));

    const uncaught = uncaughtCatchTargets(states);
    for (const name of Object.keys(states)) {
      if (reachable.has(name)) continue;
      const why = uncaught.has(name)
        ? ' (only the Catch of a Parallel or Map leads to it, and that Catch is not imported)'
        : '';
      this.report(
        'warning',
        'ASL_STATE_NOT_IMPORTED',
        `state "${name}" is not reachable${why}; it was not imported`,
      );
    }

    const built = new Map<string, BuiltState>();
    const exits: string[] = [];
    for (const name of reachable) {
      const state = states[name];
      if (!isObject(state)) continue;
      const b = this.state(name, state, prefix);
      if (b === undefined) continue;
      built.set(name, b);
      if (b.ends) exits.push(b.exit);
    }

    // One loop node per cycle target: transitions that close a cycle enter it, and it either
    // goes round again or, after ASL_LOOP_ITERATIONS, fails the run.
    const loopOf = new Map<string, string>();
    for (const target of backTargets) {
      const entry = built.get(target)?.entry;
      if (entry === undefined) continue;
      const loop = this.name(`${target}-loop`, prefix);
      const exhausted = this.name(`${target}-loop-exhausted`, prefix);
      this.nodes.push({
        kind: 'loop',
        name: loop,
        cloud: 'auto',
        maxIterations: ASL_LOOP_ITERATIONS,
      });
      this.task(exhausted, {
        kind: 'fail',
        state: target,
        error: 'States.LoopLimit',
        cause: `the cycle back to "${target}" ran ${ASL_LOOP_ITERATIONS} times`,
      });
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
      if (backEdges.get(from)?.has(to) === true) return loopOf.get(to);
      return built.get(to)?.entry;
    };
    for (const name of reachable) {
      const state = states[name];
      const b = built.get(name);
      if (!isObject(state) || b === undefined) continue;
      const exit = b.exit;
      if (b.caught !== undefined) {
        // Catchers are tried in order; the Task's code put the index of the one that matched
        // under ASL_CATCH_KEY and the handler's input under `output`.
        for (const [i, next] of b.caught.next.entries()) {
          const target = into(name, next);
          if (target === undefined) {
            this.report(
              'error',
              'ASL_INVALID',
              `Catcher ${i + 1} of state "${name}" goes to "${next}", which is not a state`,
              b.caught.choice,
            );
          } else this.edge(b.caught.choice, target, `\`${ASL_CATCH_KEY}\` = ${i}`, 'output');
        }
        if (b.caught.done !== undefined) this.edge(b.caught.choice, b.caught.done);
      }
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
            for (const path of translated.contextPaths) {
              this.report(
                'warning',
                'ASL_CONTEXT_IN_CHOICE',
                `choice rule ${i + 1} of state "${name}" reads ${path} from the context object, which guards cannot read; that comparison is always false. Copy the value into the input in the step before`,
                exit,
              );
            }
            const flow = b.choiceFlow;
            const guard =
              flow?.inputPath === undefined
                ? translated.guard
                : `(${flow.inputPath}).(${translated.guard})`;
            this.edge(exit, target, guard, flow?.mapping);
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
          } else this.edge(exit, target, undefined, b.choiceFlow?.mapping);
        }
      } else if (typeof state.Next === 'string' && !b.ends) {
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

    let entry = built.get(start)?.entry ?? '';
    if (backTargets.has(start)) {
      // The first state is also a cycle's target: a pass-through step receives the input so
      // the start has no incoming edge and the loop is entered from outside.
      const enter = this.name(`${start}-enter`, prefix);
      this.task(enter, { kind: 'pass', state: start, what: 'entry to the cycle' });
      this.edge(enter, entry);
      entry = enter;
    }
    return { entry, exits };
  }

  /** A diagnostic when a Seconds-like field is present but not a number >= 0. */
  private checkSeconds(stateName: string, state: Json, field: string, node: string): void {
    const value = state[field];
    if (value === undefined || isNonNegative(value)) return;
    this.report(
      'error',
      'ASL_NEGATIVE_SECONDS',
      `state "${stateName}": ${field} is ${JSON.stringify(value)}; it must be a number >= 0`,
      node,
    );
  }

  /** Builds the node(s) of one state. `ends`: the state ends its machine (End, Succeed, Fail). */
  private state(stateName: string, state: Json, prefix: string): BuiltState | undefined {
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
    const ignored = Object.keys(state).filter(
      (k) => !honoured.includes(k) && !withoutEffect(type, k, state),
    );
    if (ignored.length > 0) {
      this.report(
        'warning',
        'ASL_FIELD_IGNORED',
        `state "${stateName}": ${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} not imported; do that data shaping in the step code or an edge mapping`,
        name,
      );
    }
    for (const field of ['Seconds', 'TimeoutSeconds', 'HeartbeatSeconds']) {
      this.checkSeconds(stateName, state, field, name);
    }
    const ends = state.End === true || type === 'Succeed' || type === 'Fail';
    const io = this.dataFlow(stateName, state, type, name);
    this.editable = undefined;
    if (
      (type === 'Task' || type === 'Pass' || type === 'Wait' || type === 'Succeed') &&
      (state.QueryLanguage ?? this.queryLanguage) !== 'JSONata'
    ) {
      const fields = Object.fromEntries(
        ASL_DATA_FLOW_FIELDS[type].filter((f) => state[f] !== undefined).map((f) => [f, state[f]]),
      );
      this.editable = { node: name, asl: { type, fields } };
    }
    switch (type) {
      case 'Task': {
        const jsonata = this.jsonataFields(stateName, state, type, name);
        const built = this.taskState(stateName, state, name, prefix, ends, io, jsonata);
        return jsonata === undefined
          ? built
          : this.withJsonata(stateName, prefix, built, jsonata, type);
      }
      case 'Pass': {
        const jsonata = this.jsonataFields(stateName, state, type, name);
        if (state.Result === undefined) {
          this.task(name, { kind: 'pass', state: stateName, what: 'Pass state', io });
        } else {
          this.task(name, { kind: 'result', state: stateName, result: state.Result, io });
        }
        const built = { entry: name, exit: name, ends };
        return jsonata === undefined
          ? built
          : this.withJsonata(stateName, prefix, built, jsonata, type);
      }
      case 'Wait':
        return this.waitState(stateName, state, name, prefix, ends, io);
      case 'Succeed':
        this.task(name, { kind: 'pass', state: stateName, what: 'Succeed state', io });
        return { entry: name, exit: name, ends };
      case 'Fail': {
        const error = typeof state.Error === 'string' ? state.Error : 'States.Fail';
        const cause =
          typeof state.Cause === 'string' ? state.Cause : `state "${stateName}" failed the run`;
        const paths: { errorPath?: AslPath; causePath?: AslPath } = {};
        for (const [field, key] of [
          ['ErrorPath', 'errorPath'],
          ['CausePath', 'causePath'],
        ] as const) {
          if (state[field] === undefined) continue;
          const path = referencePath(state[field]);
          if (path === undefined || path === null) {
            this.report(
              'warning',
              'ASL_DATA_FLOW_NOT_IMPORTED',
              `Fail state "${stateName}": ${field} ${JSON.stringify(state[field])} is not a plain path; the fixed ${field === 'ErrorPath' ? 'Error' : 'Cause'} is used`,
              name,
            );
          } else paths[key] = path;
        }
        this.task(name, { kind: 'fail', state: stateName, error, cause, ...paths });
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
        return {
          entry: name,
          exit: name,
          ends: false,
          choiceFlow: this.choiceFlow(stateName, state, name),
        };
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
        this.fanOutRetryCatch(stateName, state, name);
        const caught = this.fanOutCatch(stateName, state, name);
        // With Catch the join needs code (it catches), so the data-flow shape is used.
        const flow = io ?? (caught === undefined ? null : IDENTITY_FLOW);
        const join = this.name(`${stateName}-join`, prefix);
        if (flow === null) {
          this.task(name, { kind: 'pass', state: stateName, what: 'Parallel state' });
          if (branches.length === 1) {
            // One branch is no fan-out: a step wraps its output in an array, as Parallel does.
            this.task(join, {
              kind: 'wrap',
              state: stateName,
              what: 'end of a one-branch Parallel',
            });
          } else {
            this.nodes.push({ kind: 'join', name: join, cloud: 'auto', fanOut: name });
          }
        } else {
          // Data flow: the branches get the effective input, and the state's raw input goes
          // straight to the join as its last slot, so the join's code can place the results.
          this.task(name, { kind: 'fanout', state: stateName, io: flow });
          this.nodes.push({
            kind: 'join',
            name: join,
            cloud: 'auto',
            fanOut: name,
            retries: 0,
            code: aslStepCode({
              kind: 'gather',
              state: stateName,
              io: flow,
              shape: 'parallel',
              ...(caught === undefined ? {} : { catch: catchersOf(caught) }),
            }),
          });
        }
        const mark = this.mark();
        for (const [i, branch] of branches.entries()) {
          const sub = isObject(branch)
            ? this.machine(
                branch,
                `${name}-${i + 1}-`,
                `branch ${i + 1} of Parallel state "${stateName}"`,
              )
            : undefined;
          if (sub === undefined) continue;
          this.edge(name, sub.entry, undefined, flow === null ? undefined : 'effective');
          this.edge(this.singleExit(sub, `${name}-${i + 1}-end`), join);
        }
        if (caught !== undefined) this.propagateFailures(mark);
        if (flow !== null) this.edge(name, join, undefined, 'raw');
        return this.withCatch(
          { entry: name, exit: join, ends },
          stateName,
          prefix,
          caught,
          'end after a Parallel with Catch',
        );
      }
      case 'Map':
        return this.mapState(stateName, state, name, prefix, ends, io);
      default:
        return undefined;
    }
  }

  /**
   * A Choice's InputPath and OutputPath as JSONata: its rules are read under the InputPath, and
   * every edge out carries OutputPath(InputPath(input)) as its mapping.
   */
  private choiceFlow(
    stateName: string,
    state: Json,
    node: string,
  ): { inputPath?: string; mapping?: string } | undefined {
    if (state.InputPath === undefined && state.OutputPath === undefined) return undefined;
    const read = (field: 'InputPath' | 'OutputPath'): string | undefined => {
      const value = state[field];
      if (value === undefined) return undefined;
      const path = typeof value === 'string' ? jsonPathToJsonata(value) : undefined;
      if (path === undefined) {
        this.report(
          'warning',
          'ASL_DATA_FLOW_NOT_IMPORTED',
          `Choice state "${stateName}": ${field} ${JSON.stringify(value)} is not a plain path; it is left out`,
          node,
        );
      }
      return path;
    };
    const inputPath = read('InputPath');
    const outputPath = read('OutputPath');
    const flow: { inputPath?: string; mapping?: string } = {};
    if (inputPath !== undefined && inputPath !== '$') flow.inputPath = inputPath;
    const parts = [flow.inputPath, outputPath === '$' ? undefined : outputPath].filter(
      (p): p is string => p !== undefined,
    );
    if (parts.length > 0) flow.mapping = parts.map((p) => `(${p})`).join('.');
    return flow;
  }

  private waitState(
    stateName: string,
    state: Json,
    name: string,
    prefix: string,
    ends: boolean,
    io: AslDataFlow | null,
  ): BuiltState {
    if (typeof state.Seconds === 'number') {
      const seconds = isNonNegative(state.Seconds) ? state.Seconds : 0;
      if (seconds <= ASL_WAIT_IN_STEP_SECONDS) {
        // A short wait is held by the step; 10 s spare for the rest.
        const timeoutMs = Math.max(30_000, seconds * 1000 + 10_000);
        this.task(name, { kind: 'wait', state: stateName, seconds, io }, { timeoutMs });
        return { entry: name, exit: name, ends };
      }
      return this.durableWait(stateName, name, prefix, ends, { seconds }, io);
    }
    const dynamic: { secondsPath?: AslPath; timestamp?: string; timestampPath?: AslPath } = {};
    const secondsPath = referencePath(state.SecondsPath);
    const timestampPath = referencePath(state.TimestampPath);
    if (secondsPath) dynamic.secondsPath = secondsPath;
    else if (typeof state.Timestamp === 'string' && !Number.isNaN(Date.parse(state.Timestamp)))
      dynamic.timestamp = state.Timestamp;
    else if (timestampPath) dynamic.timestampPath = timestampPath;
    else {
      this.report(
        'error',
        'ASL_INVALID',
        `Wait state "${stateName}" needs Seconds, SecondsPath, Timestamp or TimestampPath (a plain path or an ISO 8601 time)`,
        name,
      );
    }
    return this.durableWait(stateName, name, prefix, ends, { seconds: 0, ...dynamic }, io);
  }

  /**
   * A wait no step holds: the Wait's step computes when it ends and returns
   * `{ [ASL_WAIT_KEY]: due, output }`; the edge into a pass-through step `<state>-after` carries
   * `output` and holds that step's invocation until `due` (the edge's `notBefore`: the target
   * cloud's queue keeps it, or the runtime passes it on as the same invocation). Exactly-once as
   * any edge: the due time is part of the committed output, so every copy sends the same.
   */
  private durableWait(
    stateName: string,
    name: string,
    prefix: string,
    ends: boolean,
    time: {
      seconds: number;
      secondsPath?: AslPath;
      timestamp?: string;
      timestampPath?: AslPath;
    },
    io: AslDataFlow | null,
  ): BuiltState {
    this.task(name, { kind: 'wait', state: stateName, ...time, io, durable: true });
    const after = this.name(`${stateName}-after`, prefix);
    this.task(after, { kind: 'pass', state: stateName, what: 'the end of a durable wait' });
    this.edge(name, after, undefined, 'output', `\`${ASL_WAIT_KEY}\``);
    return { entry: name, exit: after, ends };
  }

  /** The data flow of a Task, Pass, Wait or Succeed; null when it has none (data passes as is). */
  private dataFlow(stateName: string, state: Json, type: string, node: string): AslDataFlow | null {
    const fields: readonly string[] =
      type in ASL_DATA_FLOW_FIELDS
        ? ASL_DATA_FLOW_FIELDS[type as keyof typeof ASL_DATA_FLOW_FIELDS]
        : [];
    if (!fields.some((f) => state[f] !== undefined)) return null;
    const { flow, problems } = readDataFlow(state, fields);
    const unavailable = [
      ...unavailableContextPaths(flow.parameters, type === 'Map'),
      ...unavailableContextPaths(flow.resultSelector),
    ];
    if (unavailable.length > 0) {
      this.report(
        'warning',
        'ASL_CONTEXT_UNAVAILABLE',
        `state "${stateName}" reads ${unavailable.join(', ')} from the context object, which a Jointflow step does not have; the step fails with States.Runtime there until its code supplies the value`,
        node,
      );
    }
    for (const problem of problems) {
      this.report(
        'warning',
        'ASL_DATA_FLOW_NOT_IMPORTED',
        `state "${stateName}": ${problem}; that field is left out (the data passes as is), so shape it in the step's code`,
        node,
      );
    }
    return flow;
  }

  /**
   * A JSONata-mode Task or Pass: its Arguments and Output as JSONata text; undefined in
   * JSONPath mode. Assign (variables) has nothing to become and is named.
   */
  private jsonataFields(
    stateName: string,
    state: Json,
    type: string,
    node: string,
  ): { args?: string; output?: string } | undefined {
    const language = state.QueryLanguage ?? this.queryLanguage;
    if (language !== 'JSONata') return undefined;
    if (state.Assign !== undefined) {
      this.report(
        'warning',
        'ASL_ASSIGN_NOT_IMPORTED',
        `state "${stateName}": Assign is not imported; Jointflow steps pass data only through their output, so put the value there`,
        node,
      );
    }
    const fields: { args?: string; output?: string } = {};
    for (const field of type === 'Task' ? ['Arguments', 'Output'] : ['Output']) {
      if (state[field] === undefined) continue;
      const text = jsonataOf(state[field]);
      if (text === undefined) {
        this.report(
          'warning',
          'ASL_DATA_FLOW_NOT_IMPORTED',
          `state "${stateName}": ${field} mixes {% %} with other text in one string; it is left out`,
          node,
        );
      } else if (field === 'Arguments') fields.args = text;
      else fields.output = text;
    }
    return fields;
  }

  /**
   * Arguments are evaluated on the edge into the state (a pass-through step `<state>-args` in
   * front gives it one), Output on the edge out of it (into `<state>-output`); both bind
   * `$states` as Step Functions does. The Task's code returns `{ input, result }` for Output.
   */
  private withJsonata(
    stateName: string,
    prefix: string,
    built: BuiltState,
    jsonata: { args?: string; output?: string },
    type: string,
  ): BuiltState {
    let { entry, exit } = built;
    if (jsonata.args !== undefined) {
      const before = this.name(`${stateName}-args`, prefix);
      this.task(before, { kind: 'pass', state: stateName, what: 'JSONata Arguments' });
      this.edge(
        before,
        entry,
        undefined,
        `{"input": $, "args": ($states := {"input": $}; ${jsonata.args})}`,
      );
      entry = before;
    }
    if (jsonata.output !== undefined) {
      const after = this.name(`${stateName}-output`, prefix);
      this.task(after, { kind: 'pass', state: stateName, what: 'JSONata Output' });
      const states = type === 'Task' ? '$' : '{"input": $, "result": $}';
      this.edge(exit, after, undefined, `($states := ${states}; ${jsonata.output})`);
      exit = after;
    }
    return { ...built, entry, exit };
  }

  private taskState(
    stateName: string,
    state: Json,
    name: string,
    prefix: string,
    ends: boolean,
    io: AslDataFlow | null,
    jsonata: { args?: string; output?: string } | undefined,
  ): BuiltState {
    const resource = typeof state.Resource === 'string' ? state.Resource : '';
    const called = resourceCall(resource);
    if (called.call === null) {
      const why = called.why === null ? '' : ` (Jointflow cannot make this call: ${called.why})`;
      this.report(
        'warning',
        'ASL_TASK_STUB',
        `Task state "${stateName}" called ${resource === '' ? 'no Resource' : `"${resource}"`}${why}; the imported step passes its input through until you write that call in callResource in its code`,
        name,
      );
    }
    if (called.call?.kind === 'sdk' && called.call.sync !== undefined) {
      this.report(
        'warning',
        'ASL_SYNC_IN_STEP',
        `Task state "${stateName}" runs a child execution and waits for it (.sync) inside its step, which runs at most ${MAX_STEP_MS / 60_000} min; a longer child fails the Task with States.Timeout`,
        name,
      );
    } else if (/\.sync(:\d+)?$/.test(resource)) {
      this.report(
        'warning',
        'ASL_SYNC_NOT_SUPPORTED',
        `Task state "${stateName}" uses .sync (run a job and wait for it to finish); the step's code must start the job and wait for it itself`,
        name,
      );
    } else if (resource.endsWith('.waitForTaskToken')) {
      this.report(
        'warning',
        'ASL_TASK_TOKEN_NOT_SUPPORTED',
        `Task state "${stateName}" uses .waitForTaskToken (pause until a callback); Jointflow has no task tokens, so the step's code must wait for the callback itself`,
        name,
      );
    }
    const retry = readRetry(state.Retry);
    const caught = readCatch(state.Catch);
    for (const problem of [...retry.problems, ...caught.problems]) {
      this.report('error', 'ASL_RETRY_INVALID', `state "${stateName}": ${problem}`, name);
    }
    const timeoutSeconds = isNonNegative(state.TimeoutSeconds) ? state.TimeoutSeconds : null;
    // Retry runs inside the step (ASL's per-error rules cannot be a retry count), so the
    // function must outlive every attempt and every wait between them.
    const attempts = 1 + retry.retry.reduce((n, r) => n + r.maxAttempts, 0);
    // A .sync call waits for its child in the step: it gets the longest a step may run.
    const perAttemptS =
      timeoutSeconds ??
      (called.call?.kind === 'sdk' && called.call.sync !== undefined ? MAX_STEP_MS / 1000 : 30);
    const neededMs = attempts * perAttemptS * 1000 + retryWaitSeconds(retry.retry) * 1000 + 5_000;
    if (neededMs > MAX_STEP_MS && (retry.retry.length > 0 || timeoutSeconds !== null)) {
      this.report(
        'warning',
        'ASL_RETRY_TIME_CAPPED',
        `Task state "${stateName}": its attempts and Retry waits can take ${Math.round(neededMs / 1000)} s, but a step runs at most ${MAX_STEP_MS / 1000} s; the step fails when that limit is reached`,
        name,
      );
    }
    this.task(
      name,
      {
        kind: 'task',
        state: stateName,
        resource,
        retry: retry.retry,
        catch: caught.catch.map(({ errorEquals, resultPath }) => ({ errorEquals, resultPath })),
        timeoutSeconds,
        io,
        jsonata:
          jsonata === undefined
            ? null
            : { arguments: jsonata.args !== undefined, output: jsonata.output !== undefined },
        call: called.call,
      },
      { timeoutMs: Math.ceil(Math.min(MAX_STEP_MS, Math.max(30_000, neededMs))) },
    );
    return this.withCatch(
      { entry: name, exit: name, ends },
      stateName,
      prefix,
      caught.catch.length === 0 ? undefined : caught.catch,
      'end after a Task with Catch',
    );
  }

  /**
   * A state whose code turns a caught error into `{ [ASL_CATCH_KEY]: i, output }` (a Task, or
   * the join of a Parallel or Map with Catch): a choice `<state>-caught` after its exit routes
   * it to the handler (the edges are added by `machine`). When the state ends its machine and
   * nothing was caught, the run ends at a pass-through step (its edge from the choice is added
   * after the Catch edges, as the default comes last).
   */
  private withCatch(
    built: BuiltState,
    stateName: string,
    prefix: string,
    catchers: ReadCatch['catch'] | undefined,
    what: string,
  ): BuiltState {
    if (catchers === undefined) return built;
    const choice = this.name(`${stateName}-caught`, prefix);
    this.nodes.push({ kind: 'choice', name: choice, cloud: 'auto' });
    this.edge(built.exit, choice);
    const next = catchers.map((c) => c.next);
    if (!built.ends) return { ...built, exit: choice, caught: { choice, next } };
    const done = this.name(`${stateName}-done`, prefix);
    this.task(done, { kind: 'pass', state: stateName, what });
    return { ...built, exit: done, caught: { choice, next, done } };
  }

  /**
   * The Catchers of a Parallel or Map whose Catch is imported (`catchKept`), else undefined.
   * Their branches hand an uncaught error on as a failure token (`propagateFailures`), and the
   * fan-out's join catches it.
   */
  private fanOutCatch(
    stateName: string,
    state: Json,
    node: string,
  ): ReadCatch['catch'] | undefined {
    if (!catchKept(state)) return undefined;
    const caught = readCatch(state.Catch);
    for (const problem of caught.problems) {
      this.report('error', 'ASL_RETRY_INVALID', `state "${stateName}": ${problem}`, node);
    }
    return caught.catch.length === 0 ? undefined : caught.catch;
  }

  /** Where the nodes and edges built from now on start (for `propagateFailures`). */
  private mark(): { nodes: number; edges: number } {
    return { nodes: this.nodes.length, edges: this.edges.length };
  }

  /**
   * Makes the steps built since `mark` (the branches of a Parallel or Map with Catch) hand an
   * uncaught error on as a failure token `{ [ASL_FAILED_KEY]: { Error, Cause } }`, and pass a
   * token they receive on untouched: their code gets `propagate`; their edges' mappings and
   * `notBefore` let a token through as it is; a choice sends a token down its first rule and a
   * loop out through its exit.
   */
  private propagateFailures(mark: { nodes: number; edges: number }): void {
    const inside = new Map<string, string>();
    for (const node of this.nodes.slice(mark.nodes)) {
      inside.set(node.name, node.kind);
      const code = 'code' in node && typeof node.code === 'string' ? node.code : '';
      const spec = readAslStepSpec(code);
      if (spec !== undefined)
        (node as { code: string }).code = aslStepCode({ ...spec, propagate: true });
    }
    const token = `$exists(\`${ASL_FAILED_KEY}\`)`;
    const firstRule = new Set<string>();
    for (const edge of this.edges.slice(mark.edges)) {
      const kind = inside.get(edge.source);
      if (kind === undefined) continue;
      if (edge.mapping !== undefined) edge.mapping = `${token} ? $ : (${edge.mapping})`;
      if (edge.notBefore !== undefined) edge.notBefore = `${token} ? 0 : (${edge.notBefore})`;
      if (edge.guard === undefined) continue;
      if (kind === 'loop') edge.guard = `$not(${token}) and (${edge.guard})`;
      else if (!firstRule.has(edge.source)) {
        firstRule.add(edge.source);
        edge.guard = `${token} or (${edge.guard})`;
      }
    }
  }

  private mapState(
    stateName: string,
    state: Json,
    name: string,
    prefix: string,
    ends: boolean,
    io: AslDataFlow | null,
  ): BuiltState | undefined {
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
    if (isObject(processor.ProcessorConfig) && processor.ProcessorConfig.Mode === 'DISTRIBUTED') {
      this.report(
        'warning',
        'ASL_FIELD_IGNORED',
        `Map state "${stateName}" is DISTRIBUTED; it is imported as an inline map over an array in the input`,
        name,
      );
    }
    const maxConcurrency = this.mapMaxConcurrency(stateName, state, name);
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
    this.fanOutRetryCatch(stateName, state, name);
    const caught = this.fanOutCatch(stateName, state, name);
    const shaping = this.mapShaping(stateName, state, name, io, caught !== undefined);
    this.nodes.push({
      kind: 'map',
      name,
      cloud: 'auto',
      items: shaping ? 'items' : items,
      ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
    });
    const join = this.name(`${stateName}-join`, prefix);
    this.nodes.push({ kind: 'join', name: join, cloud: 'auto', fanOut: name, retries: 0 });
    const mark = this.mark();
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
        this.task(first, { kind: 'pass', state: stateName, what: 'one element of the map' });
        this.edge(first, sub.entry);
      }
      this.edge(name, first);
      this.edge(this.singleExit(sub, `${name}-end`), join);
    }
    if (caught !== undefined && shaping !== undefined) this.propagateFailures(mark);
    if (shaping === undefined) return { entry: name, exit: join, ends };
    // Data flow: a step before the map selects the items (InputPath, ItemsPath, ItemSelector)
    // and hands the raw input to a join after it, whose code places the results.
    const before = this.name(`${stateName}-items`, prefix);
    const after = this.name(`${stateName}-result`, prefix);
    this.task(before, { kind: 'items', state: stateName, ...shaping });
    this.nodes.push({
      kind: 'join',
      name: after,
      cloud: 'auto',
      fanOut: before,
      retries: 0,
      code: aslStepCode({
        kind: 'gather',
        state: stateName,
        io: shaping.io,
        shape: 'map',
        ...(caught === undefined ? {} : { catch: catchersOf(caught) }),
      }),
    });
    this.edge(before, name);
    this.edge(join, after);
    this.edge(before, after, undefined, 'raw');
    return this.withCatch(
      { entry: before, exit: after, ends },
      stateName,
      prefix,
      caught,
      'end after a Map with Catch',
    );
  }

  /**
   * A Map's MaxConcurrency as the map node's `maxConcurrency`: a whole number above 0 bounds the
   * branches in flight; 0 (Step Functions' "no limit") and absence leave it unbounded. What cannot
   * be fixed when compiled (MaxConcurrencyPath, a JSONata expression) or is not a whole number is
   * the named loss `ASL_MAX_CONCURRENCY`: every element's branch then starts at once.
   */
  private mapMaxConcurrency(stateName: string, state: Json, node: string): number | undefined {
    const value = state.MaxConcurrency;
    let bound: number | undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      if (value > 0) bound = value;
    } else if (value !== undefined) {
      this.report(
        'warning',
        'ASL_MAX_CONCURRENCY',
        `Map state "${stateName}": MaxConcurrency ${JSON.stringify(value)} is not a whole number of at least 0, so it is not imported and every element's branch starts at once; write a number (0 for no limit)`,
        node,
      );
    }
    if (state.MaxConcurrencyPath !== undefined) {
      this.report(
        'warning',
        'ASL_MAX_CONCURRENCY',
        `Map state "${stateName}": MaxConcurrencyPath is read from the input at run time, but a map's bound is fixed when the workflow is compiled, so it is not imported and every element's branch starts at once; write MaxConcurrency as a number instead`,
        node,
      );
    }
    return bound;
  }

  /**
   * What a Map with data-flow fields needs before and after it; undefined when it has none (the
   * map then iterates the ItemsPath of its input directly).
   */
  private mapShaping(
    stateName: string,
    state: Json,
    node: string,
    io: AslDataFlow | null,
    caught: boolean,
  ): { io: AslDataFlow; itemsPath: AslSegment[]; itemSelector: AslTemplate | null } | undefined {
    let itemSelector = io?.parameters ?? null;
    if (
      state.ItemSelector !== undefined &&
      (state.QueryLanguage ?? this.queryLanguage) === 'JSONata'
    ) {
      this.report(
        'warning',
        'ASL_DATA_FLOW_NOT_IMPORTED',
        `Map state "${stateName}": a JSONata ItemSelector is not imported (each item is passed as is); shape the item in the first step of the ItemProcessor`,
        node,
      );
    } else if (state.ItemSelector !== undefined) {
      const t = template(state.ItemSelector);
      if ('problem' in t) {
        this.report(
          'warning',
          'ASL_DATA_FLOW_NOT_IMPORTED',
          `Map state "${stateName}": ItemSelector: ${t.problem}; that field is left out (each item is passed as is)`,
          node,
        );
      } else {
        itemSelector = t.ok;
        const unavailable = unavailableContextPaths(t.ok, true);
        if (unavailable.length > 0) {
          this.report(
            'warning',
            'ASL_CONTEXT_UNAVAILABLE',
            `Map state "${stateName}" reads ${unavailable.join(', ')} from the context object, which a Jointflow step does not have; the step fails with States.Runtime there`,
            node,
          );
        }
      }
    }
    // With Catch the map needs a join with code (it catches): the shaped form gives it one.
    if (io === null && itemSelector === null && !caught) return undefined;
    if (typeof state.Items === 'string') {
      this.report(
        'warning',
        'ASL_DATA_FLOW_NOT_IMPORTED',
        `Map state "${stateName}" mixes Items (JSONata) with JSONPath data-flow fields; the data-flow fields are left out`,
        node,
      );
      return undefined;
    }
    const itemsPath = referencePath(state.ItemsPath ?? '$');
    // An ItemsPath that is not a plain path was reported (ASL_ITEMS_PATH) by the caller.
    if (itemsPath === undefined || itemsPath === null) return undefined;
    const flow: AslDataFlow = {
      inputPath: [],
      resultSelector: null,
      resultPath: [],
      outputPath: [],
      ...io,
      parameters: null,
    };
    return { io: flow, itemsPath, itemSelector };
  }

  /**
   * Retry and Catch of a Parallel or Map: its branches run as their own functions, so there is
   * no one piece of code to retry or catch in; both are named losses.
   */
  private fanOutRetryCatch(stateName: string, state: Json, node: string): void {
    if (Array.isArray(state.Retry) && state.Retry.length > 0) {
      this.report(
        'warning',
        'ASL_RETRY_NOT_IMPORTED',
        `${String(state.Type)} state "${stateName}": Retry is not imported; a failing branch step is retried by its own retries, then fails the run`,
        node,
      );
    }
    if (Array.isArray(state.Catch) && state.Catch.length > 0 && !catchKept(state)) {
      const targets = state.Catch.map((c) =>
        isObject(c) && typeof c.Next === 'string' ? `"${c.Next}"` : '?',
      ).join(', ');
      this.report(
        'warning',
        'ASL_CATCH_NOT_IMPORTED',
        `${String(state.Type)} state "${stateName}": Catch (to ${targets}) is not imported, as its branches hold a Parallel or Map (or the Map reads JSONata Items); a failing branch fails the run. Catch the error in the branch's Task steps instead`,
        node,
      );
    }
  }

  /** A sub-machine's one exit; several exits (choice paths) meet at a pass-through step. */
  private singleExit(sub: MachineResult, mergeName: string): string {
    const [only] = sub.exits;
    if (sub.exits.length === 1 && only !== undefined) return only;
    const merge = this.name(mergeName, '');
    this.task(merge, { kind: 'pass', state: mergeName, what: 'where the branch paths meet' });
    for (const exit of sub.exits) this.edge(exit, merge);
    return merge;
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** The states a state can go to next: Next, Choice rules and Default, a Task's Catchers. */
function transitions(state: unknown): string[] {
  if (!isObject(state)) return [];
  const out: string[] = [];
  if (state.Type === 'Choice') {
    for (const rule of Array.isArray(state.Choices) ? state.Choices : []) {
      if (isObject(rule) && typeof rule.Next === 'string') out.push(rule.Next);
    }
    if (typeof state.Default === 'string') out.push(state.Default);
  } else if (typeof state.Next === 'string' && state.End !== true) out.push(state.Next);
  if ((state.Type === 'Task' || catchKept(state)) && Array.isArray(state.Catch)) {
    for (const c of state.Catch) if (isObject(c) && typeof c.Next === 'string') out.push(c.Next);
  }
  return out;
}

/** States named by the Catch of a Parallel or Map (which is not imported). */
function uncaughtCatchTargets(states: Json): Set<string> {
  const targets = new Set<string>();
  for (const state of Object.values(states)) {
    if (!isObject(state) || state.Type === 'Task' || catchKept(state)) continue;
    if (!Array.isArray(state.Catch)) continue;
    for (const c of state.Catch) if (isObject(c) && typeof c.Next === 'string') targets.add(c.Next);
  }
  return targets;
}

/**
 * Fields that change nothing in what Jointflow runs, so ignoring them loses no meaning: a Map's
 * Label (it names a distributed map's child executions, which a Jointflow map has none of), and
 * a Task's HeartbeatSeconds when it makes a request-response call (only activities and callback
 * tasks send heartbeats).
 */
function withoutEffect(type: string, field: string, state: Json): boolean {
  if (type === 'Map') return field === 'Label';
  if (type !== 'Task' || field !== 'HeartbeatSeconds') return false;
  return typeof state.Resource === 'string' && resourceCall(state.Resource).call !== null;
}

/**
 * Whether the Catch of a Parallel or Map is imported: its branches (or item processor) hold no
 * Parallel or Map of their own, whose joins would not hand a failure token on, and a Map reads
 * its items by path (not JSONata Items).
 */
function catchKept(state: unknown): boolean {
  if (!isObject(state) || !Array.isArray(state.Catch) || state.Catch.length === 0) return false;
  let machines: unknown[];
  if (state.Type === 'Parallel') machines = Array.isArray(state.Branches) ? state.Branches : [];
  else if (state.Type === 'Map' && state.Items === undefined)
    machines = [state.ItemProcessor ?? state.Iterator];
  else return false;
  return machines.every(
    (m) =>
      isObject(m) &&
      isObject(m.States) &&
      Object.values(m.States).every(
        (s) => isObject(s) && s.Type !== 'Parallel' && s.Type !== 'Map',
      ),
  );
}

/** The Catchers as the generated code applies them (their Next is the graph's business). */
function catchersOf(caught: ReadCatch['catch']): AslCatcher[] {
  return caught.map(({ errorEquals, resultPath }) => ({ errorEquals, resultPath }));
}

/** The data flow that changes nothing: a Parallel or Map with Catch but no data-flow fields. */
const IDENTITY_FLOW: AslDataFlow = {
  inputPath: [],
  parameters: null,
  resultSelector: null,
  resultPath: [],
  outputPath: [],
};
