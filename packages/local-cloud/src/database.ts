import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * One SQLite file per cloud holds everything that must survive a crash of the cloud process:
 * the key-value store and slot records, the async invoke queue and its dead letters, deployed
 * functions, metering, and the trace outbox.
 *
 * `fsync` (the default) runs SQLite with `synchronous=FULL`: a write is on disk when the call
 * returns. `os` (`synchronous=NORMAL` in WAL mode) survives a process crash but not a power cut;
 * the benchmark uses it to show what durability costs.
 */
export type Durability = 'fsync' | 'os';

export type CloudDatabase = Database.Database;

export function openCloudDatabase(dir: string, durability: Durability): CloudDatabase {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, 'cloud.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS kv (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      expires_at INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS slot_records (
      key TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      filled INTEGER NOT NULL
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
    CREATE TABLE IF NOT EXISTS queue (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      function TEXT NOT NULL,
      body TEXT NOT NULL,
      attempt INTEGER NOT NULL,
      due_at INTEGER NOT NULL,
      leased INTEGER NOT NULL DEFAULT 0,
      fault TEXT
    );
    CREATE INDEX IF NOT EXISTS queue_due ON queue (leased, due_at);
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
  `);
  // A crash left leases behind: those invocations never finished, so they run again.
  db.prepare('UPDATE queue SET leased = 0 WHERE leased = 1').run();
  return db;
}
