/**
 * Structured logs: one record per line, JSON (`{"time","level","msg",...fields}`) for machines or
 * a short readable line for a person at a terminal. Platform-neutral (no Node API): the caller
 * hands in where lines go; `processLogger` (processLogger.ts) wires it to a Node stream and the
 * `JOINTFLOW_LOG_*` environment.
 */

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];
export type LogFormat = 'json' | 'text';
/** Context carried by a record: ids, durations, an `error`. Never secrets: see `redactFields`. */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  /** Records below this level are dropped. */
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record (e.g. `{ component: 'api' }`). */
  child(fields: LogFields): Logger;
  enabled(level: LogLevel): boolean;
}

/** One record as written (fields already redacted). */
export interface LogRecord {
  time: number;
  level: LogLevel;
  msg: string;
  fields: Readonly<Record<string, unknown>>;
}

export interface LoggerOptions {
  /** Receives each record as one line (newline included) and as the record it was made from. */
  write(line: string, record: LogRecord): void;
  format: LogFormat;
  /** Default `info`. */
  level?: LogLevel;
  /** Added to every record. */
  fields?: LogFields;
  /** Milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
}

/** A record's own keys: fields of the same name are dropped rather than overwrite them. */
const RESERVED = new Set(['time', 'level', 'msg']);
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const REDACTED = '[redacted]';
/** Field names whose values are never written, at any depth. */
const SECRET_KEY =
  /token|secret|passw|authorization|api[-_]?key|credential|cookie|private[-_]?key/i;
/** `token=…`, `secret=…`, `Bearer …` inside a message (e.g. a URL that carries the token). */
const SECRET_IN_TEXT =
  /\b((?:token|secret|password|api[-_]?key)=)[^\s&#"']+|\b(Bearer\s+)[^\s"']+/gi;

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (logLevels as readonly string[]).includes(value);
}

/** A message with any `token=…` / `Bearer …` value replaced by `[redacted]`. */
export function redactText(text: string): string {
  return text.replace(
    SECRET_IN_TEXT,
    (_match, assign: string | undefined, bearer: string | undefined) =>
      `${assign ?? bearer ?? ''}${REDACTED}`,
  );
}

function errorFields(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: redactText(error.message),
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack !== undefined ? { stack: redactText(error.stack) } : {}),
  };
}

/**
 * A JSON-safe copy of `value` with secret-named keys replaced, errors as `{name, message, code,
 * stack}`, bigints as strings, cycles and depth beyond 6 cut.
 */
export function redactFields(value: unknown, depth = 0, seen = new Set<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[cycle]';
  if (depth >= 6) return '[deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return errorFields(value);
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map((item) => redactFields(item, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) ? REDACTED : redactFields(item, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function textValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null && 'message' in value && 'name' in value) {
    return JSON.stringify(String(value.message));
  }
  return JSON.stringify(value) ?? String(value);
}

/** One readable line: `14:02:03.120 WARN  [api] msg key=value`, an error's stack below it. */
function textLine(time: number, level: LogLevel, msg: string, fields: Record<string, unknown>) {
  const { component, ...rest } = fields;
  const clock = new Date(time).toISOString().slice(11, 23);
  const prefix = component === undefined ? '' : `[${String(component)}] `;
  const pairs = Object.entries(rest)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}=${textValue(value)}`)
    .join('');
  const error = rest.error as { stack?: unknown } | undefined;
  const stack =
    level === 'error' && typeof error?.stack === 'string'
      ? `\n${error.stack.replace(/^/gm, '    ')}`
      : '';
  return `${clock} ${level.toUpperCase().padEnd(5)} ${prefix}${msg}${pairs}${stack}\n`;
}

function jsonLine(time: number, level: LogLevel, msg: string, fields: Record<string, unknown>) {
  return `${JSON.stringify({ time: new Date(time).toISOString(), level, msg, ...fields })}\n`;
}

/**
 * A logger writing one line per record through `options.write`. Secret-named fields and
 * `token=`/`Bearer` values in messages are written as `[redacted]`.
 *
 * @example
 * const log = createLogger({ write: (l) => process.stderr.write(l), format: 'json' });
 * log.child({ component: 'api' }).warn('deployment failed', { deployment: 'dp_1', error });
 * // {"time":"2026-…","level":"warn","msg":"deployment failed","component":"api","deployment":"dp_1","error":{…}}
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? 'info';
  const now = options.now ?? Date.now;
  const format = options.format === 'json' ? jsonLine : textLine;
  const bound = options.fields ?? {};
  const emit = (at: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[at] < RANK[level]) return;
    const merged: Record<string, unknown> = {};
    for (const source of [bound, fields ?? {}]) {
      for (const [key, value] of Object.entries(source)) {
        if (!RESERVED.has(key) && value !== undefined) merged[key] = value;
      }
    }
    const record: LogRecord = {
      time: now(),
      level: at,
      msg: redactText(msg),
      fields: redactFields(merged) as Record<string, unknown>,
    };
    options.write(format(record.time, at, record.msg, { ...record.fields }), record);
  };
  return {
    level,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger({ ...options, fields: { ...bound, ...fields } }),
    enabled: (at) => RANK[at] >= RANK[level],
  };
}

/**
 * A logger handing each record to `write` as one plain message, `msg key=value…` without time
 * or level: for embedders and tests that collect messages (`createApiServer({ log: (m) => … })`).
 *
 * @example
 * const lines: string[] = [];
 * messageLogger((m) => lines.push(m)).warn('stalled', { execution: 'ex_1' }); // 'stalled execution=ex_1'
 */
export function messageLogger(write: (message: string) => void, level: LogLevel = 'info'): Logger {
  return createLogger({
    format: 'text',
    level,
    write: (_line, record) =>
      write(
        `${record.msg}${Object.entries(record.fields)
          .map(([key, value]) => ` ${key}=${textValue(value)}`)
          .join('')}`,
      ),
  });
}

const drop = () => {};
/** A logger that drops everything (tests, quiet embedders). */
export const silentLogger: Logger = {
  level: 'error',
  debug: drop,
  info: drop,
  warn: drop,
  error: drop,
  child: () => silentLogger,
  enabled: () => false,
};
