import { runnableTriggerKinds, type TriggerSpec } from '@jointflow/ir';

/** The form field a problem belongs to, so the inspector shows it right under that field. */
export type TriggerField = 'kind' | 'key' | 'size' | 'keys' | 'prefix' | 'k' | 'n' | 'windowMs';

export interface TriggerFieldProblem {
  field: TriggerField;
  message: string;
}

/** The limits the schema and compiler enforce (packages/ir graph.ts and compile.ts). */
export const TRIGGER_LIMITS = {
  batchSize: { min: 1, max: 10_000 },
  maxWinners: 64,
  maxSetKeys: 1_000,
  maxKeyLength: 128,
  windowMs: { min: 1, max: 3_600_000 },
} as const;

/** Why an object key cannot be used, or undefined when it can. */
export function objectKeyProblem(key: string, what: string): string | undefined {
  if (key.length === 0) return `${what} is empty; type the key the producers emit.`;
  if (key.length > TRIGGER_LIMITS.maxKeyLength)
    return `${what} is ${key.length} characters; use at most ${TRIGGER_LIMITS.maxKeyLength}.`;
  return undefined;
}

/**
 * What is wrong with a trigger's parameters, field by field, in words that say what to do. The
 * same rules as the compiler's IR_TRIGGER_PARAMS and the graph schema, checked in the browser so
 * the inspector can show each message under its field while the user types.
 *
 * @example
 * triggerFieldProblems({ type: 'k-of-n', k: 5, n: 4 })
 * // [{ field: 'k', message: 'k (5) is more than n (4): the trigger cannot wait for more winners than arrivals. Use 1 ≤ k ≤ n.' }]
 */
export function triggerFieldProblems(spec: TriggerSpec): TriggerFieldProblem[] {
  const problems: TriggerFieldProblem[] = [];
  const add = (field: TriggerField, message: string | undefined) => {
    if (message !== undefined) problems.push({ field, message });
  };
  if (!runnableTriggerKinds.includes(spec.type)) {
    add('kind', `A ${spec.type} trigger does not run yet; pick another kind to deploy.`);
  }
  switch (spec.type) {
    case 'immediate':
      break;
    case 'by-name':
      add('key', objectKeyProblem(spec.key, 'The key'));
      break;
    case 'batch': {
      const { min, max } = TRIGGER_LIMITS.batchSize;
      if (!Number.isInteger(spec.size) || spec.size < min || spec.size > max)
        add('size', `The batch size is ${spec.size}; use a whole number from ${min} to ${max}.`);
      break;
    }
    case 'set': {
      if (spec.keys.length === 0) add('keys', 'The set has no keys; add the keys to wait for.');
      if (spec.keys.length > TRIGGER_LIMITS.maxSetKeys)
        add(
          'keys',
          `The set lists ${spec.keys.length} keys; use at most ${TRIGGER_LIMITS.maxSetKeys}.`,
        );
      const seen = new Set<string>();
      const twice = new Set<string>();
      for (const key of spec.keys) {
        if (seen.has(key)) twice.add(key);
        seen.add(key);
        const problem = objectKeyProblem(key, 'A key');
        if (problem !== undefined) add('keys', problem);
      }
      if (twice.size > 0)
        add(
          'keys',
          `The set lists ${[...twice].map((k) => `"${k}"`).join(', ')} twice; list each key once.`,
        );
      break;
    }
    case 'group':
      add('prefix', objectKeyProblem(spec.prefix, 'The group prefix'));
      break;
    case 'k-of-n':
      if (!Number.isInteger(spec.n) || spec.n < 1)
        add('n', `n is ${spec.n}; use a whole number of at least 1 (how many arrivals to expect).`);
      if (!Number.isInteger(spec.k) || spec.k < 1)
        add('k', `k is ${spec.k}; use a whole number of at least 1 (how many winners).`);
      else if (Number.isInteger(spec.n) && spec.n >= 1 && spec.k > spec.n)
        add(
          'k',
          `k (${spec.k}) is more than n (${spec.n}): the trigger cannot wait for more winners than arrivals. Use 1 ≤ k ≤ n.`,
        );
      else if (spec.k > TRIGGER_LIMITS.maxWinners)
        add('k', `k is ${spec.k}; at most ${TRIGGER_LIMITS.maxWinners} winners.`);
      break;
    case 'window': {
      const { min, max } = TRIGGER_LIMITS.windowMs;
      if (!Number.isInteger(spec.windowMs) || spec.windowMs < min || spec.windowMs > max)
        add(
          'windowMs',
          `The window is ${spec.windowMs} ms; use a whole number from ${min} to ${max} (an hour).`,
        );
      break;
    }
  }
  return problems;
}
