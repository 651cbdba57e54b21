// Structured logs for the API, the local clouds and the CLI. A subpath of its own
// (`@jointflow/runtime/log`): `processLogger` reads Node's process, which the function runtime
// and the browser never load.
export type {
  LogFields,
  LogFormat,
  Logger,
  LoggerOptions,
  LogLevel,
  LogRecord,
} from './logger';
export {
  createLogger,
  isLogLevel,
  logLevels,
  messageLogger,
  redactFields,
  redactText,
  silentLogger,
} from './logger';
export type { LogStream } from './processLogger';
export { logFormatFor, processLogger } from './processLogger';
