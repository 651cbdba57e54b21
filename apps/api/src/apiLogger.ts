import { type LogFields, type Logger, messageLogger, processLogger } from '@jointflow/runtime/log';

/**
 * The API's logger (`ctx.log`): a `Logger` (`ctx.log.info('…', { execution })`) that may also be
 * called directly, which logs a warning: every plain `ctx.log('…')` call site reports a
 * background step that went wrong (a failed rollout, a stalled execution's redrive).
 */
export type ApiLogger = Logger & ((msg: string, fields?: LogFields) => void);

/**
 * `createApiServer`'s `log` option as the API's logger: a `Logger` as given, a function as a
 * receiver of plain messages (`msg key=value`), none as JSON lines or text on stderr
 * (`processLogger`, `component: 'api'`).
 */
export function apiLogger(option?: Logger | ((message: string) => void)): ApiLogger {
  const logger =
    option === undefined
      ? processLogger({ component: 'api' })
      : typeof option === 'function'
        ? messageLogger(option)
        : option;
  const methods: Logger = {
    level: logger.level,
    debug: (msg, fields) => logger.debug(msg, fields),
    info: (msg, fields) => logger.info(msg, fields),
    warn: (msg, fields) => logger.warn(msg, fields),
    error: (msg, fields) => logger.error(msg, fields),
    child: (fields) => logger.child(fields),
    enabled: (level) => logger.enabled(level),
  };
  return Object.assign((msg: string, fields?: LogFields) => logger.warn(msg, fields), methods);
}
