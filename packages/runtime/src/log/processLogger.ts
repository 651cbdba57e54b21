import { createLogger, isLogLevel, type LogFields, type LogFormat, type Logger } from './logger';

/** Where a process logger writes: a Node stream (`process.stderr`) or anything alike. */
export interface LogStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `JOINTFLOW_LOG_FORMAT=json|text` when set; otherwise readable text on a terminal and JSON lines
 * everywhere else (a pipe, a file, a service manager).
 */
export function logFormatFor(stream: LogStream, env: Env): LogFormat {
  const asked = env.JOINTFLOW_LOG_FORMAT;
  if (asked === 'json' || asked === 'text') return asked;
  return stream.isTTY === true ? 'text' : 'json';
}

/**
 * A logger for this Node process, configured by the environment: `JOINTFLOW_LOG_LEVEL`
 * (debug, info, warn, error; default info) and `JOINTFLOW_LOG_FORMAT` (json, text; default by
 * whether `stream` is a terminal). Writes to stderr unless told, so stdout stays a command's
 * output. A value it does not know is reported once (`LOG_BAD_SETTING`) and the default used.
 *
 * @example
 * const log = processLogger({ component: 'api' });
 * log.info('listening', { url });
 */
export function processLogger(
  options: { component?: string; stream?: LogStream; env?: Env; fields?: LogFields } = {},
): Logger {
  const stream = options.stream ?? process.stderr;
  const env = options.env ?? process.env;
  const format = logFormatFor(stream, env);
  const askedLevel = env.JOINTFLOW_LOG_LEVEL;
  const level = isLogLevel(askedLevel) ? askedLevel : 'info';
  const logger = createLogger({
    write: (line) => stream.write(line),
    format,
    level,
    fields: {
      ...(options.component !== undefined ? { component: options.component } : {}),
      ...options.fields,
    },
  });
  const askedFormat = env.JOINTFLOW_LOG_FORMAT;
  for (const [name, value, known, choices] of [
    ['JOINTFLOW_LOG_LEVEL', askedLevel, isLogLevel(askedLevel), 'debug, info, warn, error'],
    [
      'JOINTFLOW_LOG_FORMAT',
      askedFormat,
      askedFormat === 'json' || askedFormat === 'text',
      'json, text',
    ],
  ] as const) {
    if (value !== undefined && value !== '' && !known) {
      logger.warn(
        `LOG_BAD_SETTING: ${name}=${JSON.stringify(value)} is not one of ${choices}; using the default`,
      );
    }
  }
  return logger;
}
