import Database from 'better-sqlite3';

/**
 * The coordinator's durable state, shaped like AWS Step Functions Standard's execution history:
 * an execution row and an append-only list of history events. Every state transition appends
 * its events in one transaction (`synchronous=FULL`: fsync'd before the next step starts, or
 * `NORMAL` for the fsync-off run), which is what Standard workflows bill and persist per
 * transition.
 */
export type HistoryEventType =
  | 'ExecutionStarted'
  | 'TaskStateEntered'
  | 'TaskScheduled'
  | 'TaskSucceeded'
  | 'TaskStateExited'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed';

export interface HistoryEvent {
  type: HistoryEventType;
  state: string;
  detail?: unknown;
}

export interface HistoryStore {
  startExecution(execution: string, input: unknown): void;
  /** One durable transaction appending `events`; returns after the commit (fsync'd when FULL). */
  appendTransition(execution: string, events: HistoryEvent[]): void;
  finishExecution(execution: string, output: unknown): void;
  /** Number of durable write transactions so far (the store operations of the baseline). */
  writes(): number;
  close(): void;
}

export function openHistoryStore(file: string, fsync: boolean): HistoryStore {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${fsync ? 'FULL' : 'NORMAL'}`);
  db.exec(`
    CREATE TABLE IF NOT EXISTS executions (
      id TEXT PRIMARY KEY, status TEXT NOT NULL, input TEXT, output TEXT, next_seq INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS history (
      execution TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL,
      detail TEXT, at REAL NOT NULL, PRIMARY KEY (execution, seq)
    );
  `);
  const insertExecution = db.prepare(
    "INSERT INTO executions (id, status, input, next_seq) VALUES (?, 'RUNNING', ?, 0)",
  );
  const nextSeq = db.prepare<[number, string], { next_seq: number }>(
    'UPDATE executions SET next_seq = next_seq + ? WHERE id = ? RETURNING next_seq',
  );
  const insertEvent = db.prepare(
    'INSERT INTO history (execution, seq, type, state, detail, at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const finish = db.prepare("UPDATE executions SET status = 'SUCCEEDED', output = ? WHERE id = ?");
  let writes = 0;
  const append = db.transaction((execution: string, events: HistoryEvent[]) => {
    const row = nextSeq.get(events.length, execution);
    if (!row) throw new Error(`BENCH_NO_EXECUTION: ${execution}`);
    let seq = row.next_seq - events.length;
    for (const event of events) {
      insertEvent.run(
        execution,
        seq,
        event.type,
        event.state,
        event.detail === undefined ? null : JSON.stringify(event.detail),
        Date.now(),
      );
      seq += 1;
    }
  });
  return {
    startExecution(execution, input) {
      db.transaction(() => {
        insertExecution.run(execution, JSON.stringify(input));
        append(execution, [{ type: 'ExecutionStarted', state: '', detail: input }]);
      })();
      writes += 1;
    },
    appendTransition(execution, events) {
      append(execution, events);
      writes += 1;
    },
    finishExecution(execution, output) {
      db.transaction(() => {
        append(execution, [{ type: 'ExecutionSucceeded', state: '', detail: output }]);
        finish.run(JSON.stringify(output), execution);
      })();
      writes += 1;
    },
    writes: () => writes,
    close: () => db.close(),
  };
}
