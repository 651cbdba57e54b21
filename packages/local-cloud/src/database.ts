import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Two SQLite files per cloud, split by what a lost write would cost.
 *
 * `cloud.db` (the **store**) holds what exactly-once rests on: the key-value store, slot records
 * and deployed functions. With `fsync` durability (the default) it runs `synchronous=FULL`: a
 * checkpoint commit is on disk when the call returns. `os` durability (`synchronous=NORMAL`)
 * survives a process crash but not a power cut; the benchmark uses it to show what fsync costs.
 *
 * `spool.db` (the **spool**) holds the async invoke queue, dead letters, metering and the trace
 * outbox, always with `synchronous=NORMAL` in WAL mode. Queue rows and trace batches are written
 * once per event-loop turn (spoolWriter.ts), after the turn's dispatches: a crash of the cloud
 * process loses what that one turn accepted, and a power cut may lose the last accepted invokes
 * or trace batches not yet on disk. That is recoverable by design: a lost invoke is a dropped
 * invoke, which the watchdog's redrive from the (fsync'd) checkpoints repairs, and a lost trace
 * event is re-emitted with the same id by whichever copy adopts the checkpoint on that redrive.
 * Keeping the spool off fsync leaves one fsync — the commit — on a step's critical path.
 */
export type Durability = 'fsync' | 'os';

export type CloudDatabase = Database.Database;

export interface CloudDatabases {
  store: CloudDatabase;
  spool: CloudDatabase;
  close(): void;
}

function open(file: string, synchronous: 'FULL' | 'NORMAL'): CloudDatabase {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  return db;
}

export function openCloudDatabase(dir: string, durability: Durability): CloudDatabases {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const store = open(join(dir, 'cloud.db'), durability === 'fsync' ? 'FULL' : 'NORMAL');
  const spool = open(join(dir, 'spool.db'), 'NORMAL');
  // Private to this user: the store holds deployed functions with their ingest secrets. (The
  // cloud process's umask makes new files so; this also closes up a directory made before.)
  chmodSync(dir, 0o700);
  for (const name of ['cloud.db', 'spool.db']) {
    for (const file of [name, `${name}-wal`, `${name}-shm`]) {
      if (existsSync(join(dir, file))) chmodSync(join(dir, file), 0o600);
    }
  }
  store.exec(`
    CREATE TABLE IF NOT EXISTS kv (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      expires_at INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS slot_records (
      key TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      filled INTEGER NOT NULL,
      sealed_until INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS slots (
      key TEXT NOT NULL,
      slot INTEGER NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (key, slot)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS functions (
      name TEXT PRIMARY KEY,
      deployment TEXT NOT NULL,
      spec TEXT NOT NULL,
      state TEXT NOT NULL,
      reason TEXT,
      code_hash TEXT,
      bundle TEXT
    );
  `);
  spool.exec(`
    CREATE TABLE IF NOT EXISTS queue (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      function TEXT NOT NULL,
      body TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      due_at INTEGER NOT NULL,
      fault TEXT
    );
    CREATE TABLE IF NOT EXISTS dead_letters (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      function TEXT NOT NULL,
      body TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      error TEXT NOT NULL,
      at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS metering (
      function TEXT PRIMARY KEY,
      invocations INTEGER NOT NULL,
      failures INTEGER NOT NULL,
      billed_ms INTEGER NOT NULL,
      cost_usd REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS trace_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      url TEXT NOT NULL,
      secret TEXT NOT NULL,
      event TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS trace_outbox_target ON trace_outbox (url, secret, id);
  `);
  // Stores written before sealing existed: add the column (a sealed record refuses fills).
  const slotColumns = store.prepare<[], { name: string }>('PRAGMA table_info(slot_records)').all();
  if (!slotColumns.some((c) => c.name === 'sealed_until')) {
    store.exec('ALTER TABLE slot_records ADD COLUMN sealed_until INTEGER');
  }
  return {
    store,
    spool,
    close() {
      store.close();
      spool.close();
    },
  };
}
