import type { SqlDriver, SqlExecutor } from './sqlDriver';

/**
 * One migration: a script the database runs whole (never split on `;`). `sql` is either one text
 * both backends read the same way, or one text per backend where they differ (a trigger in
 * SQLite, a function in PostgreSQL).
 */
export interface Migration {
  version: number;
  sql: string | { sqlite: string; postgres: string };
}

/**
 * One set of migrations for both backends: SQL that SQLite and PostgreSQL read the same way
 * (TEXT for ids and JSON, BIGINT for epoch milliseconds, DOUBLE PRECISION for money and time)
 * unless a migration gives one text per backend. Append new migrations with the next version;
 * never edit an applied one.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE workflows (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  latest_version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX workflows_list ON workflows (updated_at, id);
CREATE TABLE workflow_versions (
  workflow_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  graph TEXT NOT NULL,
  ir_version TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workflow_id, version)
);
CREATE TABLE deployments (
  id TEXT PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  ir TEXT NOT NULL,
  ir_version TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX deployments_workflow ON deployments (workflow_id, created_at);
CREATE TABLE deployment_functions (
  deployment_id TEXT NOT NULL,
  fn TEXT NOT NULL,
  cloud TEXT NOT NULL,
  role TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (deployment_id, fn, cloud)
);
CREATE TABLE executions (
  id TEXT PRIMARY KEY,
  deployment_id TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT NOT NULL,
  result TEXT,
  error TEXT,
  makespan_ms DOUBLE PRECISION,
  cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  last_seq BIGINT NOT NULL DEFAULT 0,
  last_event_at BIGINT NOT NULL,
  redrives INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX executions_list ON executions (started_at, id);
CREATE INDEX executions_workflow ON executions (workflow_id, started_at);
CREATE INDEX executions_status ON executions (status, last_event_at);
CREATE TABLE events (
  execution_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  PRIMARY KEY (execution_id, seq)
);
`,
  },
  {
    version: 2,
    sql: `
ALTER TABLE executions ADD COLUMN idle_redrives INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    version: 3,
    sql: `
ALTER TABLE executions ADD COLUMN closed_at BIGINT;
CREATE INDEX executions_closable ON executions (status, closed_at, finished_at);
`,
  },
  {
    version: 4,
    sql: `
ALTER TABLE deployment_functions ADD COLUMN provider_state TEXT;
`,
  },
  {
    // Time windows: their runs are executions the runtime starts; links say which producer
    // executions fed which window.
    version: 5,
    sql: `
ALTER TABLE executions ADD COLUMN origin TEXT;
CREATE TABLE execution_links (
  source_id TEXT NOT NULL,
  target_id TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (source_id, target_id)
);
CREATE INDEX execution_links_target ON execution_links (target_id);
`,
  },
];

/** Any fixed number: the advisory lock API processes take around migrating one database. */
export const MIGRATION_LOCK = 0x4a460001;

/** The newest schema version this code knows. */
export const LATEST_SCHEMA_VERSION = Math.max(...migrations.map((m) => m.version));

/** A migration list out of order or with a repeated version is a programming error. */
function checkOrder(list: readonly Migration[]): void {
  for (let i = 1; i < list.length; i++) {
    const previous = list[i - 1];
    const current = list[i];
    if (previous !== undefined && current !== undefined && current.version <= previous.version) {
      throw new Error(
        `migration ${current.version} follows ${previous.version}: versions must increase`,
      );
    }
  }
}

/** The versions recorded in `schema_migrations` (none on a fresh database). */
export async function appliedVersions(driver: SqlExecutor): Promise<number[]> {
  const rows = await driver.all('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((row) => Number(row.version));
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in version order, each in a
 * transaction of its own that runs its script whole (`SqlExecutor.exec`: SQLite `exec`, one
 * PostgreSQL query) and records its version. On PostgreSQL each transaction first takes an
 * advisory lock, so API processes started at the same moment on one fresh database migrate one
 * after the other: the second finds the work done (without the lock, both ran `CREATE TABLE` and
 * one died on the duplicate). SQLite's `BEGIN IMMEDIATE` already excludes other writers. A
 * failing migration rolls back alone; the ones before it stay applied.
 *
 * @example
 * await migrate(openSqliteDriver(file)); // the database is now at LATEST_SCHEMA_VERSION
 */
export async function migrate(
  driver: SqlDriver,
  list: readonly Migration[] = migrations,
): Promise<void> {
  checkOrder(list);
  for (const migration of list) {
    await driver.transaction(async (tx) => {
      if (driver.kind === 'postgres') {
        await tx.all('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
      }
      await tx.run(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      const done = await tx.all('SELECT 1 AS done FROM schema_migrations WHERE version = ?', [
        migration.version,
      ]);
      if (done.length > 0) return;
      const sql = typeof migration.sql === 'string' ? migration.sql : migration.sql[driver.kind];
      try {
        await tx.exec(sql);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`schema migration ${migration.version} failed: ${reason}`, {
          cause: error,
        });
      }
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [
        migration.version,
        Date.now(),
      ]);
    });
  }
}
