import { ASL_DATA_FLOW_FIELDS } from './asl';
import { readDataFlow, unavailableContextPaths } from './aslDataFlow';
import { aslStepDataLine, readAslStepSpec } from './aslStepCode';

/**
 * The data flow of a step imported from a Step Functions Task, Pass, Wait or Succeed, as the
 * designer shows and edits it: the ASL fields as written (InputPath, Parameters, ResultSelector,
 * ResultPath, OutputPath, as the state type allows). The step's code runs them; editing replaces
 * only its data line, so a call written into the code by hand is kept.
 */
export interface AslDataFlowView {
  /** The Step Functions state the step came from. */
  state: string;
  type: 'Task' | 'Pass' | 'Wait' | 'Succeed';
  /** The fields this state type has, in ASL order. */
  allowed: readonly string[];
  /** The fields the step applies, as ASL JSON. */
  fields: Record<string, unknown>;
}

/**
 * The imported data flow of a step's code; undefined when the step was not imported from a
 * JSONPath Task, Pass, Wait or Succeed (or its data line was removed).
 *
 * @example
 * aslDataFlowOf(node.code)?.fields; // { InputPath: '$.order', ResultPath: '$.charge' }
 */
export function aslDataFlowOf(code: string): AslDataFlowView | undefined {
  const spec = readAslStepSpec(code);
  if (spec?.asl === undefined) return undefined;
  return {
    state: spec.state,
    type: spec.asl.type,
    allowed: ASL_DATA_FLOW_FIELDS[spec.asl.type],
    fields: spec.asl.fields,
  };
}

const DATA_LINE = /^const state = JSON\.parse\("(?:[^"\\\n]|\\.)*"\);$/m;

/**
 * The step's code with `fields` as its data flow (ASL JSON: `{ "InputPath": "$.order", … }`),
 * or the problems that keep it from being applied: a field the state type does not have, a path
 * or template the step code does not evaluate, a `$$` path a step does not know. Only the data
 * line changes; the values stay data (a JSON string literal), never code.
 *
 * @example
 * const edited = withAslDataFlow(node.code, { ResultPath: '$.result' });
 * if ('code' in edited) node.code = edited.code;
 */
export function withAslDataFlow(
  code: string,
  fields: unknown,
): { code: string } | { problems: string[] } {
  const spec = readAslStepSpec(code);
  if (spec?.asl === undefined || !DATA_LINE.test(code)) {
    return {
      problems: [
        'this step was not imported from a Step Functions Task, Pass, Wait or Succeed state',
      ],
    };
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    return {
      problems: ['the data flow is a JSON object of ASL fields, e.g. {"InputPath": "$.order"}'],
    };
  }
  const values = fields as Record<string, unknown>;
  const { type } = spec.asl;
  const allowed: readonly string[] = ASL_DATA_FLOW_FIELDS[type];
  const problems = Object.keys(values)
    .filter((f) => !allowed.includes(f))
    .map((f) => `${f} is not a data-flow field of a ${type} state (it has ${allowed.join(', ')})`);
  const { flow, problems: unread } = readDataFlow(values, allowed);
  problems.push(...unread);
  const unknownContext = [
    ...unavailableContextPaths(flow.parameters),
    ...unavailableContextPaths(flow.resultSelector),
  ];
  if (unknownContext.length > 0) {
    problems.push(`a step cannot read ${unknownContext.join(', ')} from the context object`);
  }
  if (problems.length > 0) return { problems };
  if (
    spec.kind !== 'task' &&
    spec.kind !== 'pass' &&
    spec.kind !== 'result' &&
    spec.kind !== 'wait'
  ) {
    return { problems: [`a ${spec.kind} step's data flow is not edited here`] };
  }
  const io = Object.keys(values).length === 0 ? null : flow;
  const line = aslStepDataLine({ ...spec, io, asl: { type, fields: values } });
  // A function, not a replacement string: `$&`, `$'` in the data must stay as they are.
  return { code: code.replace(DATA_LINE, () => line) };
}
