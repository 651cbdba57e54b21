/**
 * An error the runtime raises on purpose. `code` is stable (tests, logs and the API match on it);
 * the message says what happened and what to do. `retryable` is false for errors that would
 * repeat identically on every try (a bad expression, a map over a non-array), so the runtime
 * commits the failure without spending in-process retries on them.
 */
export class RuntimeError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options?: { retryable?: boolean }) {
    super(`${code}: ${message}`);
    this.name = 'RuntimeError';
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}
