import type { AslCatcher, AslRetrier } from './aslStepCode';

/**
 * Reads a state's Retry and Catch fields into the settings the generated Task code applies,
 * with Step Functions' defaults (MaxAttempts 3, IntervalSeconds 1, BackoffRate 2, no
 * MaxDelaySeconds, JitterStrategy NONE). Invalid values are problems, never guessed.
 */

type Json = Record<string, unknown>;

export interface ReadRetry {
  retry: AslRetrier[];
  problems: string[];
}

export interface ReadCatch {
  catch: (AslCatcher & { next: string })[];
  problems: string[];
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function errorEquals(value: unknown, where: string, problems: string[]): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((e): e is string => typeof e === 'string')
  ) {
    problems.push(`${where} needs ErrorEquals, a non-empty array of error names`);
    return [];
  }
  return value;
}

function number(
  retrier: Json,
  field: string,
  fallback: number,
  min: number,
  where: string,
  problems: string[],
): number {
  const value = retrier[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    problems.push(`${where}: ${field} must be a number >= ${min}, not ${JSON.stringify(value)}`);
    return fallback;
  }
  return value;
}

/** The Retriers of `retry` (a state's Retry field), in order. */
export function readRetry(retry: unknown): ReadRetry {
  const problems: string[] = [];
  const out: AslRetrier[] = [];
  if (retry === undefined) return { retry: out, problems };
  if (!Array.isArray(retry)) return { retry: out, problems: ['Retry must be an array'] };
  for (const [i, r] of retry.entries()) {
    const where = `Retrier ${i + 1}`;
    if (!isObject(r)) {
      problems.push(`${where} must be an object`);
      continue;
    }
    const maxDelay = r.MaxDelaySeconds;
    let maxDelaySeconds: number | null = null;
    if (maxDelay !== undefined)
      maxDelaySeconds = number(r, 'MaxDelaySeconds', 0, 1, where, problems);
    const jitter = r.JitterStrategy;
    if (jitter !== undefined && jitter !== 'FULL' && jitter !== 'NONE') {
      problems.push(`${where}: JitterStrategy must be FULL or NONE`);
    }
    out.push({
      errorEquals: errorEquals(r.ErrorEquals, where, problems),
      maxAttempts: Math.floor(number(r, 'MaxAttempts', 3, 0, where, problems)),
      intervalSeconds: number(r, 'IntervalSeconds', 1, 0, where, problems),
      backoffRate: number(r, 'BackoffRate', 2, 1, where, problems),
      maxDelaySeconds: maxDelaySeconds === 0 ? null : maxDelaySeconds,
      jitter: jitter === 'FULL' ? 'FULL' : 'NONE',
    });
  }
  return { retry: out, problems };
}

/**
 * The seconds a Task's Retry can spend waiting, at most: each Retrier's delays summed over its
 * attempts (Jitter only shortens them). Lets the importer size the step's timeout.
 */
export function retryWaitSeconds(retry: readonly AslRetrier[]): number {
  let total = 0;
  for (const r of retry) {
    for (let n = 0; n < Math.min(r.maxAttempts, 1000); n++) {
      const delay = r.intervalSeconds * r.backoffRate ** n;
      total += r.maxDelaySeconds === null ? delay : Math.min(delay, r.maxDelaySeconds);
    }
  }
  return total;
}

/** A ResultPath as path segments (`[]` for `$`), `null` for a null ResultPath, else undefined. */
export function resultPathSegments(path: unknown): (string | number)[] | null | undefined {
  if (path === null) return null;
  if (path === undefined || path === '$') return [];
  if (typeof path !== 'string' || !path.startsWith('$')) return undefined;
  const segments: (string | number)[] = [];
  let rest = path.slice(1);
  while (rest !== '') {
    const dotted = /^\.([^.[\]]+)/.exec(rest);
    const quoted = /^\['([^']*)'\]/.exec(rest) ?? /^\["([^"]*)"\]/.exec(rest);
    const index = /^\[(\d+)\]/.exec(rest);
    const m = dotted ?? quoted ?? index;
    if (m?.[1] === undefined) return undefined;
    segments.push(m === index ? Number(m[1]) : m[1]);
    rest = rest.slice(m[0].length);
  }
  return segments;
}

/** The Catchers of `catchField` (a state's Catch field), in order, with their Next state. */
export function readCatch(catchField: unknown): ReadCatch {
  const problems: string[] = [];
  const out: ReadCatch['catch'] = [];
  if (catchField === undefined) return { catch: out, problems };
  if (!Array.isArray(catchField)) return { catch: out, problems: ['Catch must be an array'] };
  for (const [i, c] of catchField.entries()) {
    const where = `Catcher ${i + 1}`;
    if (!isObject(c) || typeof c.Next !== 'string') {
      problems.push(`${where} must be an object with Next (a state name)`);
      continue;
    }
    const resultPath = resultPathSegments(c.ResultPath);
    if (resultPath === undefined) {
      problems.push(
        `${where}: ResultPath ${JSON.stringify(c.ResultPath)} is not a plain path ($, $.a.b, $['a-b'], [n]) or null`,
      );
      continue;
    }
    out.push({
      errorEquals: errorEquals(c.ErrorEquals, where, problems),
      resultPath,
      next: c.Next,
    });
  }
  return { catch: out, problems };
}
