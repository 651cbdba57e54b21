import type { CloudDatabase } from './database';
import { createSpoolWriter, type SpoolWriter } from './spoolWriter';

/**
 * The cloud's async invoke queue (Lambda's `Event` queue). Accepted invocations live in memory
 * and are dispatched straight from there; each also has a row in the spool database, written on
 * accept and deleted when it finished, which exists only so a restarted cloud runs again what a
 * crash interrupted. There is no lease round trip: a row is "leased" exactly while this process
 * holds it in `running`, and a new process starts with nothing running. Row writes go through a
 * `SpoolWriter` (one transaction per event-loop turn, after the turn's dispatches left), so an
 * invocation reaches its worker before its row is written; ids are assigned here, not by SQLite.
 *
 * Dispatch order: among functions that can start now, the oldest waiting invocation goes first,
 * but an invocation that can reuse a warm worker goes before one that would evict another
 * function's idle worker, unless that one has waited longer than `starveMs`. This keeps cold
 * starts rare under a cloud-wide worker cap without starving a function that has no worker.
 */

export interface QueueEntry {
  id: number;
  fn: string;
  /** The invocation's execution id (for the watchdog's "still queued here?" question). */
  execution: string;
  body: string;
  /** The parsed body, when this process accepted it (saves a re-parse on dispatch). */
  parsed?: unknown;
  attempt: number;
  dueAt: number;
  fault: string;
  /** Acceptance order in this process (FIFO tiebreak). */
  seq: number;
  queuedAt: number;
  /** Its process died with others in flight and the cause is unknown: run it alone next. */
  solo?: boolean;
}

/** `warm`: an idle worker of the function exists; `cold`: one can be started; `none`: must wait. */
export type Availability = 'warm' | 'cold' | 'none';

export interface AsyncQueue {
  enqueue(
    fn: string,
    execution: string,
    body: string,
    dueAt: number,
    fault: string,
    parsed?: unknown,
  ): void;
  /** Invocations of `execution` accepted and not finished (waiting, delayed or running). */
  pendingOf(execution: string): number;
  /** The next entry to dispatch at `now`, removed from the waiting set, or undefined. */
  take(
    now: number,
    availability: (fn: string, solo: boolean) => Availability,
  ): QueueEntry | undefined;
  /** Finished (succeeded, or moved to dead letters): the row goes. */
  finish(entry: QueueEntry): void;
  retry(entry: QueueEntry, dueAt: number): void;
  /**
   * Puts a running entry back, due now, without counting an attempt: its delivery was cut short
   * by another invocation's fault (a process it shared died). `solo`: run it alone next time.
   */
  redeliver(entry: QueueEntry, solo: boolean): void;
  deadLetter(entry: QueueEntry, error: string): void;
  /** Earliest due time among delayed entries, if any. */
  nextDueAt(): number | undefined;
  /** Waiting entries (due or delayed), per function. */
  waiting(): Record<string, number>;
  size(): number;
  /** Writes pending row changes now (the cloud's close; tests). */
  flush(): void;
}

export function createAsyncQueue(
  db: CloudDatabase,
  starveMs = 500,
  writer: SpoolWriter = createSpoolWriter(db),
): AsyncQueue {
  const insert = db.prepare<[number, string, string, number, number, string]>(
    'INSERT INTO queue (id, function, body, attempt, due_at, fault) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const maxId = db.prepare<[], { n: number | null }>(
    "SELECT max(n) AS n FROM (SELECT max(id) AS n FROM queue UNION ALL SELECT seq AS n FROM sqlite_sequence WHERE name = 'queue')",
  );
  const remove = db.prepare<[number]>('DELETE FROM queue WHERE id = ?');
  const bump = db.prepare<[number, number]>(
    'UPDATE queue SET attempt = attempt + 1, due_at = ? WHERE id = ?',
  );
  const insertDead = db.prepare<[string, string, number, string, number]>(
    'INSERT INTO dead_letters (function, body, attempts, error, at) VALUES (?, ?, ?, ?, ?)',
  );
  const deadTx = db.transaction((entry: QueueEntry, error: string) => {
    insertDead.run(entry.fn, entry.body, entry.attempt, error, Date.now());
    remove.run(entry.id);
  });
  const loadAll = db.prepare<
    [],
    { id: number; function: string; body: string; attempt: number; due_at: number; fault: string }
  >('SELECT id, function, body, attempt, due_at, fault FROM queue ORDER BY id');

  /** Due entries per function, FIFO. */
  const ready = new Map<string, QueueEntry[]>();
  let delayed: QueueEntry[] = [];
  let seq = 0;
  let count = 0;
  let nextId = (maxId.get()?.n ?? 0) + 1;
  const perExecution = new Map<string, number>();
  const track = (execution: string, delta: number) => {
    const n = (perExecution.get(execution) ?? 0) + delta;
    if (n <= 0) perExecution.delete(execution);
    else perExecution.set(execution, n);
  };
  const executionOf = (body: string): string => {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && 'execution' in parsed)
        return String(parsed.execution);
    } catch {
      // A row this version cannot read still runs; it just counts for no execution.
    }
    return '';
  };

  const place = (entry: QueueEntry, now: number) => {
    if (entry.dueAt > now) {
      delayed.push(entry);
      return;
    }
    let line = ready.get(entry.fn);
    if (line === undefined) {
      line = [];
      ready.set(entry.fn, line);
    }
    line.push(entry);
  };

  const promote = (now: number) => {
    if (delayed.length === 0) return;
    const still: QueueEntry[] = [];
    const due: QueueEntry[] = [];
    for (const entry of delayed) (entry.dueAt <= now ? due : still).push(entry);
    delayed = still;
    due.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
    for (const entry of due) place(entry, now);
  };

  const now0 = Date.now();
  for (const row of loadAll.all()) {
    count++;
    const execution = executionOf(row.body);
    track(execution, 1);
    place(
      {
        id: row.id,
        fn: row.function,
        execution,
        body: row.body,
        attempt: row.attempt,
        dueAt: row.due_at,
        fault: row.fault ?? '',
        seq: seq++,
        queuedAt: now0,
      },
      now0,
    );
  }

  return {
    enqueue(fn, execution, body, dueAt, fault, parsed) {
      const id = nextId++;
      writer.later(() => insert.run(id, fn, body, 1, dueAt, fault));
      count++;
      track(execution, 1);
      const now = Date.now();
      const entry: QueueEntry = {
        id,
        fn,
        execution,
        body,
        attempt: 1,
        dueAt,
        fault,
        seq: seq++,
        queuedAt: now,
      };
      if (parsed !== undefined) entry.parsed = parsed;
      place(entry, now);
    },
    pendingOf: (execution) => perExecution.get(execution) ?? 0,
    take(now, availability) {
      promote(now);
      let best: { line: QueueEntry[]; head: QueueEntry; warm: boolean } | undefined;
      for (const [fn, line] of ready) {
        const head = line[0];
        if (head === undefined) {
          ready.delete(fn);
          continue;
        }
        const can = availability(fn, head.solo === true);
        if (can === 'none') continue;
        const warm = can === 'warm' || now - head.queuedAt > starveMs;
        if (
          best === undefined ||
          (warm && !best.warm) ||
          (warm === best.warm && head.seq < best.head.seq)
        ) {
          best = { line, head, warm };
        }
      }
      if (best === undefined) return undefined;
      best.line.shift();
      return best.head;
    },
    finish(entry) {
      writer.later(() => remove.run(entry.id));
      count--;
      track(entry.execution, -1);
    },
    retry(entry, dueAt) {
      writer.later(() => bump.run(dueAt, entry.id));
      entry.attempt++;
      entry.dueAt = dueAt;
      entry.queuedAt = Date.now();
      place(entry, Date.now());
    },
    redeliver(entry, solo) {
      if (solo) entry.solo = true;
      entry.queuedAt = Date.now();
      place(entry, entry.queuedAt);
    },
    deadLetter(entry, error) {
      // Rare: written now (after the pending writes, which may hold this entry's insert).
      writer.flush();
      deadTx(entry, error);
      count--;
      track(entry.execution, -1);
    },
    nextDueAt() {
      let next: number | undefined;
      for (const entry of delayed) if (next === undefined || entry.dueAt < next) next = entry.dueAt;
      return next;
    },
    waiting() {
      const out: Record<string, number> = {};
      for (const [fn, line] of ready) if (line.length > 0) out[fn] = line.length;
      for (const entry of delayed) out[entry.fn] = (out[entry.fn] ?? 0) + 1;
      return out;
    },
    size: () => count,
    flush: () => writer.flush(),
  };
}
