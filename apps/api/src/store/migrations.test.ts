import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  type PostgresServer,
  postgresRequired,
  postgresUnavailable,
  startPostgres,
} from '../testing/postgresServer';
import {
  appliedVersions,
  LATEST_SCHEMA_VERSION,
  type Migration,
  migrate,
  migrations,
} from './migrations';
import { openPostgresDriver } from './postgresDriver';
import type { SqlDriver } from './sqlDriver';
import { openSqliteDriver } from './sqliteDriver';

const pgMissing = postgresUnavailable();
if (pgMissing !== undefined) {
  const message = `\n*** PostgreSQL migration tests SKIPPED: ${pgMissing} ***\n`;
  if (postgresRequired()) throw new Error(message);
  console.warn(message);
}

const allVersions = migrations.map((m) => m.version);

/**
 * A migration whose text holds `;` and `?` inside a string literal and `;` inside a trigger's
 * (SQLite) or a function's (PostgreSQL) body: splitting on `;` or rewriting placeholders breaks it.
 */
const awkward: Migration = {
  version: LATEST_SCHEMA_VERSION + 1,
  sql: {
    sqlite: `
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, edits INTEGER NOT NULL DEFAULT 0);
INSERT INTO notes (id, body) VALUES (1, 'first; second; a ? and a ''quote;''');
CREATE TRIGGER notes_edits AFTER UPDATE OF body ON notes
BEGIN
  UPDATE notes SET edits = edits + 1 WHERE id = NEW.id;
  UPDATE notes SET body = NEW.body || ';' WHERE id = NEW.id AND NEW.body NOT LIKE '%;';
END;
`,
    postgres: `
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, edits INTEGER NOT NULL DEFAULT 0);
INSERT INTO notes (id, body) VALUES (1, 'first; second; a ? and a ''quote;''');
CREATE FUNCTION notes_edit() RETURNS trigger AS $body$
BEGIN
  NEW.edits := OLD.edits + 1;
  IF NEW.body NOT LIKE '%;' THEN NEW.body := NEW.body || ';'; END IF;
  RETURN NEW;
END;
$body$ LANGUAGE plpgsql;
CREATE TRIGGER notes_edits BEFORE UPDATE OF body ON notes
  FOR EACH ROW EXECUTE FUNCTION notes_edit();
`,
  },
};

/** The same checks on either backend; `open` gives a driver on a fresh, empty database. */
function migrationSuite(open: () => Promise<SqlDriver>) {
  const drivers: SqlDriver[] = [];
  const fresh = async () => {
    const driver = await open();
    drivers.push(driver);
    return driver;
  };
  afterAll(async () => {
    for (const driver of drivers) await driver.close();
  });

  it('takes a fresh database to the newest version, and a second run changes nothing', async () => {
    const db = await fresh();
    await migrate(db);
    expect(await appliedVersions(db)).toEqual(allVersions);
    expect(Math.max(...(await appliedVersions(db)))).toBe(LATEST_SCHEMA_VERSION);
    await migrate(db);
    expect(await appliedVersions(db)).toEqual(allVersions);
    // The newest migration's table and column exist.
    expect(await db.all('SELECT origin FROM executions')).toEqual([]);
    expect(await db.all('SELECT source_id FROM execution_links')).toEqual([]);
  });

  it('takes a database at an older version to the newest, keeping its rows', async () => {
    const db = await fresh();
    await migrate(db, migrations.slice(0, 2));
    expect(await appliedVersions(db)).toEqual([1, 2]);
    await expect(db.all('SELECT closed_at FROM executions')).rejects.toThrow(/closed_at/);
    await db.run(
      `INSERT INTO executions (id, deployment_id, workflow_id, status, input, started_at, last_event_at)
       VALUES ('ex_0000000000000001', 'dep_0000000000000001', 'wf_0000000000000001', 'running', '{"a":";"}', 1, 1)`,
    );
    await migrate(db);
    expect(await appliedVersions(db)).toEqual(allVersions);
    const rows = await db.all('SELECT id, input, closed_at, origin, idle_redrives FROM executions');
    expect(rows).toEqual([
      {
        id: 'ex_0000000000000001',
        input: '{"a":";"}',
        closed_at: null,
        origin: null,
        idle_redrives: 0,
      },
    ]);
  });

  it('runs a migration whole: `;` and `?` inside strings and trigger or function bodies', async () => {
    const db = await fresh();
    await migrate(db, [...migrations, awkward]);
    expect(await appliedVersions(db)).toEqual([...allVersions, awkward.version]);
    expect(await db.all('SELECT body, edits FROM notes')).toEqual([
      { body: "first; second; a ? and a 'quote;'", edits: 0 },
    ]);
    await db.run('UPDATE notes SET body = ? WHERE id = 1', ['changed']);
    expect(await db.all('SELECT body, edits FROM notes')).toEqual([{ body: 'changed;', edits: 1 }]);
  });

  it('rolls a failing migration back alone and names it; the ones before stay applied', async () => {
    const db = await fresh();
    const good: Migration = { version: 100, sql: 'CREATE TABLE good_one (id INTEGER);' };
    const bad: Migration = {
      version: 101,
      sql: "CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (';');",
    };
    await expect(migrate(db, [...migrations, good, bad])).rejects.toThrow(
      /schema migration 101 failed/,
    );
    expect(await appliedVersions(db)).toEqual([...allVersions, 100]);
    expect(await db.all('SELECT id FROM good_one')).toEqual([]);
    await expect(db.all('SELECT id FROM half_done')).rejects.toThrow(/half_done/);
  });

  it('refuses a migration list whose versions do not increase', async () => {
    const db = await fresh();
    await expect(migrate(db, [...migrations, { version: 1, sql: 'SELECT 1' }])).rejects.toThrow(
      /versions must increase/,
    );
  });
}

describe('migrations on SQLite', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  migrationSuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jf-migrate-'));
    dirs.push(dir);
    return openSqliteDriver(join(dir, 'jointflow.db'));
  });
});

describe.skipIf(pgMissing !== undefined)('migrations on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  migrationSuite(async () => openPostgresDriver(await createDatabase(server.url)));

  it('lets two processes migrate one fresh database at once (advisory lock)', async () => {
    const url = await createDatabase(server.url);
    const a = openPostgresDriver(url);
    const b = openPostgresDriver(url);
    try {
      await Promise.all([migrate(a), migrate(b)]);
      expect(await appliedVersions(a)).toEqual(allVersions);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
