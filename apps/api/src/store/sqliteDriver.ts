import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Mutex, type SqlDriver, type SqlExecutor, type SqlRow, type SqlValue } from './sqlDriver';

/**
 * better-sqlite3 is synchronous; the lock keeps a transaction's statements from interleaving with
 * statements of other requests between its awaits.
 */
export function openSqliteDriver(file: string): SqlDriver {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // Executions' inputs and results are the user's data: readable by this user only.
  for (const part of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(part)) chmodSync(part, 0o600);
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const lock = new Mutex();

  const direct: SqlExecutor = {
    async all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
      return db.prepare(sql).all(...params) as SqlRow[];
    },
    async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
      return db.prepare(sql).run(...params).changes;
    },
    async exec(sql: string): Promise<void> {
      db.exec(sql);
    },
  };

  return {
    kind: 'sqlite',
    all: (sql, params) => lock.run(() => direct.all(sql, params)),
    run: (sql, params) => lock.run(() => direct.run(sql, params)),
    transaction: (fn) =>
      lock.run(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      }),
    exec: (sql) => lock.run(() => direct.exec(sql)),
    close: async () => {
      await lock.run(async () => {
        db.close();
      });
    },
  };
}
