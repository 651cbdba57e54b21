import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { benchFile, startChild } from '../childProcess';
import { postJson } from '../httpJson';
import { type LatencySummary, preciseNow, summarize } from '../percentiles';

/**
 * The reference floor for one exactly-once step, measured directly: one plain process-to-process
 * hop (a 1 KB loopback HTTP POST from this process to another Node process, answered 202, on a
 * warm keep-alive connection) plus one durable conditional write (an SQLite put-if-absent in WAL
 * mode with `synchronous=FULL`, i.e. fsync'd). Measured with `synchronous=NORMAL` too, the
 * fsync-off counterpart.
 */
export interface HopReferenceResult {
  samples: number;
  hop: LatencySummary;
  putIfAbsentFsync: LatencySummary;
  putIfAbsentNoFsync: LatencySummary;
  /** hop then put-if-absent, back to back, fsync on: the per-step floor the targets use. */
  hopPlusPutFsync: LatencySummary;
  hopPlusPutNoFsync: LatencySummary;
}

export async function measureHopReference(samples: number): Promise<HopReferenceResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jf-bench-hop-'));
  const peer = await startChild<{ port: number }>(benchFile('./systems/plainWorker.ts'));
  try {
    const url = `http://127.0.0.1:${peer.ready.port}/ack`;
    const body = { pad: 'x'.repeat(1024) };
    const value = JSON.stringify(body);
    const stores = {
      FULL: openCheckpointTable(path.join(dir, 'full.db'), 'FULL'),
      NORMAL: openCheckpointTable(path.join(dir, 'normal.db'), 'NORMAL'),
    };
    for (let i = 0; i < 50; i += 1) {
      await postJson(url, body);
      stores.FULL.putIfAbsent(`warm-${i}`, value);
      stores.NORMAL.putIfAbsent(`warm-${i}`, value);
    }
    const hop: number[] = [];
    const putFsync: number[] = [];
    const putNoFsync: number[] = [];
    const bothFsync: number[] = [];
    const bothNoFsync: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      let t0 = preciseNow();
      await postJson(url, body);
      hop.push(preciseNow() - t0);

      t0 = preciseNow();
      stores.FULL.putIfAbsent(`a-${i}`, value);
      putFsync.push(preciseNow() - t0);

      t0 = preciseNow();
      stores.NORMAL.putIfAbsent(`a-${i}`, value);
      putNoFsync.push(preciseNow() - t0);

      t0 = preciseNow();
      await postJson(url, body);
      stores.FULL.putIfAbsent(`b-${i}`, value);
      bothFsync.push(preciseNow() - t0);

      t0 = preciseNow();
      await postJson(url, body);
      stores.NORMAL.putIfAbsent(`b-${i}`, value);
      bothNoFsync.push(preciseNow() - t0);
    }
    stores.FULL.close();
    stores.NORMAL.close();
    return {
      samples,
      hop: summarize(hop),
      putIfAbsentFsync: summarize(putFsync),
      putIfAbsentNoFsync: summarize(putNoFsync),
      hopPlusPutFsync: summarize(bothFsync),
      hopPlusPutNoFsync: summarize(bothNoFsync),
    };
  } finally {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function openCheckpointTable(file: string, synchronous: 'FULL' | 'NORMAL') {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec('CREATE TABLE checkpoints (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const insert = db.prepare(
    'INSERT INTO checkpoints (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING',
  );
  const read = db.prepare<[string], { value: string }>(
    'SELECT value FROM checkpoints WHERE key = ?',
  );
  return {
    /** One put-if-absent: insert, or read back the winner's value on conflict. */
    putIfAbsent(key: string, value: string): { won: boolean } {
      if (insert.run(key, value).changes === 1) return { won: true };
      read.get(key);
      return { won: false };
    },
    close: () => db.close(),
  };
}
