import { cloudLog } from './cloudLog';
import type { CloudDatabase } from './database';

/**
 * Coalesces the spool's bookkeeping writes (queue rows, trace batches) into one SQLite
 * transaction per event-loop turn, run from `setImmediate`: after the turn's IPC sends (the
 * dispatch of the next step, the reply to a commit) have left, so no step waits for them. A
 * write that fails is logged and skipped (the others in the batch still commit); what it would
 * have stored is recovered the way a power cut's losses are (README.md, "Durability").
 */
export interface SpoolWriter {
  /** Runs `write` inside the next batch transaction, in call order. */
  later(write: () => void): void;
  /** Runs the pending writes now (before a read that must see them, and on close). */
  flush(): void;
}

export function createSpoolWriter(db: CloudDatabase, label = 'spool'): SpoolWriter {
  let pending: (() => void)[] = [];
  let scheduled = false;
  const report = (error: unknown) =>
    cloudLog().error(`${label}: spool write failed`, {
      error: error instanceof Error ? error.message : String(error),
    });
  const runAll = db.transaction((writes: (() => void)[]) => {
    for (const write of writes) {
      try {
        write();
      } catch (error) {
        report(error);
      }
    }
  });
  const flush = () => {
    scheduled = false;
    // Closed under us (the cloud's close flushes first; a test may just drop its database).
    if (pending.length === 0 || !db.open) return;
    const writes = pending;
    pending = [];
    try {
      runAll(writes);
    } catch (error) {
      report(error);
    }
  };
  return {
    later(write) {
      pending.push(write);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
