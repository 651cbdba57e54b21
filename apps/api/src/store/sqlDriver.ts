/**
 * The little SQL surface the repository needs, implemented once for SQLite and once for
 * PostgreSQL. Statements are written with `?` placeholders; the PostgreSQL driver rewrites them
 * to `$1, $2, …`. Values are strings, numbers or null; JSON travels as text.
 */
export type SqlValue = string | number | null;
export type SqlRow = Record<string, unknown>;

export interface SqlExecutor {
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs a script of one or more statements as the database parses it: never split on `;` nor
   * rewritten for placeholders, so a `;` or `?` inside a string, a trigger or a function body is
   * the database's business (SQLite `exec`; PostgreSQL one simple-protocol query).
   */
  exec(sql: string): Promise<void>;
}

export interface SqlDriver extends SqlExecutor {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction; no other statement of this driver interleaves with it. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * How API processes sharing the database coordinate (PostgreSQL: one long-lived session for
   * advisory locks and LISTEN). Absent for SQLite, which one process owns.
   */
  readonly coordination?: Coordination;
  close(): Promise<void>;
}

/** Database-wide locks and notifications between the API processes on one database. */
export interface Coordination {
  /**
   * Takes the database-wide lock `key` if it is free and keeps it for as long as this process's
   * session lives; true while this process holds it. A lost session loses the lock.
   */
  tryHold(key: number): Promise<boolean>;
  /** Calls `onPayload` for every notification on `channel` (a plain lower-case identifier). */
  listen(channel: string, onPayload: (payload: string) => void): () => void;
}

/** A FIFO async lock: one holder at a time. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release: () => void = () => {};
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
