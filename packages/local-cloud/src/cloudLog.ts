import { type Logger, processLogger } from '@jointflow/runtime/log';

let shared: Logger | undefined;

/**
 * The local cloud's logger for this process (`component: 'local-cloud'`; call sites add
 * `cloud`): JSON lines on stderr unless stderr is a terminal, as `@jointflow/runtime/log`'s
 * `processLogger` decides. A cloud process inherits the starter's stderr and environment, so
 * `jointflow up` and its clouds log in one format. Made on first use.
 */
export function cloudLog(): Logger {
  shared ??= processLogger({ component: 'local-cloud' });
  return shared;
}
