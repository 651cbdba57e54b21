import type { CloudDatabase } from './database';

/**
 * The cloud's strongly consistent key-value store over SQLite. Every operation is one
 * transaction on the one connection the cloud process owns, so concurrent callers (workers in
 * other processes, other clouds) are serialised here and put-if-absent has exactly one winner.
 *
 * Values are stored as JSON text. A key past its TTL reads as absent and is overwritten by the
 * next put-if-absent; a sweep deletes expired rows now and then.
 */

export type Found = { found: true; value: unknown } | { found: false };

export type PutOutcome = { won: true } | { won: false; existing: unknown };

export type SlotOutcome =
  | {
      filled: number;
      size: number;
      newlyFilled: boolean;
      /** Every slot value in slot order, only when the record is full. */
      values?: unknown[];
    }
  | { sealed: true };

/** Store operations by what they cost: one round trip each, counted by the cloud. */
export interface OpCounts {
  reads: number;
  writes: number;
  conditionalWrites: number;
  slotFills: number;
}

/**
 * Operations since the cloud started: `total` counts calls (round trips), `byKeyKind` counts
 * the keys they touched by kind (a `getMany` of a checkpoint and a closed marker is one read in
 * `total` and one each under `ckpt` and `closed`). Kinds follow the runtime's key layout:
 * ckpt, once, join, start, result, closed, other.
 */
export interface StoreOpStats {
  total: OpCounts;
  byKeyKind: Record<string, OpCounts>;
}

export function keyKind(key: string): string {
  if (key.endsWith('#ckpt')) return 'ckpt';
  if (key.endsWith('#closed')) return 'closed';
  if (key.endsWith('/#result')) return 'result';
  if (key.endsWith('/#start')) return 'start';
  if (key.includes('#once:')) return 'once';
  if (key.includes('/join:')) return 'join';
  return 'other';
}

const zeroCounts = (): OpCounts => ({ reads: 0, writes: 0, conditionalWrites: 0, slotFills: 0 });

export interface KvStore {
  /** Operation counts since the cloud started. */
  ops(): StoreOpStats;
  get(key: string): Found;
  getMany(keys: readonly string[]): Found[];
  putIfAbsent(key: string, value: unknown, ttlMs?: number): PutOutcome;
  fillSlot(key: string, slot: number, size: number, value: unknown): SlotOutcome;
  /**
   * `putIfAbsent` with group commit: the calls of one event-loop turn run in one transaction
   * (each in its own savepoint) and share its one fsync; each caller is answered after that
   * commit. Same outcome and durability as `putIfAbsent`, one fsync per batch instead of per call.
   */
  putIfAbsentGrouped(key: string, value: unknown, ttlMs?: number): Promise<PutOutcome>;
  /** `fillSlot` with group commit (see `putIfAbsentGrouped`). */
  fillSlotGrouped(key: string, slot: number, size: number, value: unknown): Promise<SlotOutcome>;
  readSlots(key: string): { size: number; slots: Found[] };
  /** Replaces every value under `prefix` by `tombstone` and seals every slot record there. */
  seal(prefix: string, tombstone: unknown, ttlMs: number): void;
  delete(keys: readonly string[]): void;
  sweepExpired(): number;
}

/** Upper bound of every string starting with `prefix` under SQLite's BINARY collation. */
function prefixEnd(prefix: string): string {
  return `${prefix}\u{10ffff}`;
}

export function createKvStore(db: CloudDatabase, now: () => number = Date.now): KvStore {
  const selectKv = db.prepare<[string], { value: string; expires_at: number | null }>(
    'SELECT value, expires_at FROM kv WHERE key = ?',
  );
  const upsertKv = db.prepare<[string, string, number | null]>(
    'INSERT OR REPLACE INTO kv (key, value, expires_at) VALUES (?, ?, ?)',
  );
  const insertRecord = db.prepare<[string, number]>(
    'INSERT OR IGNORE INTO slot_records (key, size, filled) VALUES (?, ?, 0)',
  );
  const insertSlot = db.prepare<[string, number, string]>(
    'INSERT OR IGNORE INTO slots (key, slot, value) VALUES (?, ?, ?)',
  );
  const bumpFilled = db.prepare<[string]>(
    'UPDATE slot_records SET filled = filled + 1 WHERE key = ?',
  );
  const selectRecord = db.prepare<
    [string],
    { size: number; filled: number; sealed_until: number | null }
  >('SELECT size, filled, sealed_until FROM slot_records WHERE key = ?');
  const selectSlots = db.prepare<[string], { slot: number; value: string }>(
    'SELECT slot, value FROM slots WHERE key = ? ORDER BY slot',
  );
  const sealKv = db.prepare<[string, number, string, string]>(
    'UPDATE kv SET value = ?, expires_at = ? WHERE key >= ? AND key < ?',
  );
  const sealRecords = db.prepare<[number, string, string]>(
    'UPDATE slot_records SET filled = 0, sealed_until = ? WHERE key >= ? AND key < ?',
  );
  const deleteSlotRange = db.prepare<[string, string]>(
    'DELETE FROM slots WHERE key >= ? AND key < ?',
  );
  const deleteKvKey = db.prepare<[string]>('DELETE FROM kv WHERE key = ?');
  const deleteSlotsOf = db.prepare<[string]>('DELETE FROM slots WHERE key = ?');
  const deleteRecord = db.prepare<[string]>('DELETE FROM slot_records WHERE key = ?');
  const sweep = db.prepare<[number]>(
    'DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?',
  );
  const sweepRecords = db.prepare<[number]>(
    'DELETE FROM slot_records WHERE sealed_until IS NOT NULL AND sealed_until <= ?',
  );

  const stats: StoreOpStats = { total: zeroCounts(), byKeyKind: {} };
  const count = (op: keyof OpCounts, touched: readonly string[]) => {
    stats.total[op]++;
    for (const key of touched) {
      const kind = keyKind(key);
      let counts = stats.byKeyKind[kind];
      if (counts === undefined) {
        counts = zeroCounts();
        stats.byKeyKind[kind] = counts;
      }
      counts[op]++;
    }
  };

  const live = (key: string): Found => {
    const row = selectKv.get(key);
    if (row === undefined || (row.expires_at !== null && row.expires_at <= now())) {
      return { found: false };
    }
    return { found: true, value: JSON.parse(row.value) };
  };

  const putTx = db.transaction((key: string, value: unknown, ttlMs?: number): PutOutcome => {
    // Read the existing row in the same transaction: ON CONFLICT DO NOTHING RETURNING would
    // return nothing on conflict, and the loser needs the winner's value.
    const existing = live(key);
    if (existing.found) return { won: false, existing: existing.value };
    upsertKv.run(key, JSON.stringify(value ?? null), ttlMs === undefined ? null : now() + ttlMs);
    return { won: true };
  });

  const fillTx = db.transaction(
    (key: string, slot: number, size: number, value: unknown): SlotOutcome => {
      insertRecord.run(key, size);
      const before = selectRecord.get(key);
      if (before !== undefined && before.sealed_until !== null && before.sealed_until > now()) {
        return { sealed: true };
      }
      const newlyFilled = insertSlot.run(key, slot, JSON.stringify(value ?? null)).changes === 1;
      if (newlyFilled) bumpFilled.run(key);
      const record = selectRecord.get(key);
      if (record === undefined)
        throw new Error(`slot record ${key} vanished inside its transaction`);
      const outcome: SlotOutcome = { filled: record.filled, size: record.size, newlyFilled };
      if (record.filled !== record.size) return outcome;
      // The completing fill reads the whole record in the same transaction, so the join it
      // invokes can take its input from the invocation instead of a second round trip.
      const values: unknown[] = new Array(record.size);
      let found = 0;
      for (const row of selectSlots.all(key)) {
        if (row.slot < record.size) {
          values[row.slot] = JSON.parse(row.value);
          found += 1;
        }
      }
      return found === record.size ? { ...outcome, values } : outcome;
    },
  );

  const readTx = db.transaction((key: string) => {
    const record = selectRecord.get(key);
    if (record === undefined || record.sealed_until !== null) return { size: 0, slots: [] };
    const slots: Found[] = Array.from({ length: record.size }, () => ({ found: false }));
    for (const row of selectSlots.all(key)) {
      if (row.slot < record.size) slots[row.slot] = { found: true, value: JSON.parse(row.value) };
    }
    return { size: record.size, slots };
  });

  const sealTx = db.transaction((prefix: string, tombstone: unknown, ttlMs: number) => {
    const end = prefixEnd(prefix);
    const until = now() + ttlMs;
    sealKv.run(JSON.stringify(tombstone ?? null), until, prefix, end);
    sealRecords.run(until, prefix, end);
    deleteSlotRange.run(prefix, end);
  });

  const deleteTx = db.transaction((keys: readonly string[]) => {
    for (const key of keys) {
      deleteKvKey.run(key);
      deleteSlotsOf.run(key);
      deleteRecord.run(key);
    }
  });

  const getManyTx = db.transaction((keys: readonly string[]) => keys.map(live));

  // Group commit. A synchronous=FULL commit costs one fsync (milliseconds on a loaded disk) and
  // blocks the cloud's event loop meanwhile: one per call capped a wide map at a few hundred
  // commits per second on the cloud holding its join. Calls that arrive in the same turn are
  // queued and run from setImmediate in one transaction, each in a savepoint (better-sqlite3
  // nests a transaction function as a SAVEPOINT), so one failing call rolls back alone. Nobody
  // is answered before the commit that holds their write returned, as before.
  type Pending = { run(): unknown; resolve(value: never): void; reject(error: unknown): void };
  let batch: Pending[] = [];
  const runBatch = db.transaction((calls: Pending[]) =>
    calls.map((call) => {
      try {
        return { ok: true as const, value: call.run() };
      } catch (error) {
        return { ok: false as const, error };
      }
    }),
  );
  const flushBatch = () => {
    const calls = batch;
    batch = [];
    let results: ReturnType<typeof runBatch>;
    try {
      results = runBatch(calls);
    } catch (error) {
      for (const call of calls) call.reject(error);
      return;
    }
    results.forEach((result, i) => {
      const call = calls[i];
      if (call === undefined) return;
      if (result.ok) call.resolve(result.value as never);
      else call.reject(result.error);
    });
  };
  const grouped = <T>(run: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (batch.length === 0) setImmediate(flushBatch);
      batch.push({ run, resolve: resolve as (value: never) => void, reject });
    });

  return {
    ops: () => structuredClone(stats),
    get: (key) => {
      count('reads', [key]);
      return live(key);
    },
    getMany: (keys) => {
      count('reads', keys);
      return getManyTx(keys);
    },
    putIfAbsent: (key, value, ttlMs) => {
      count('conditionalWrites', [key]);
      return putTx(key, value, ttlMs);
    },
    fillSlot: (key, slot, size, value) => {
      count('slotFills', [key]);
      return fillTx(key, slot, size, value);
    },
    putIfAbsentGrouped: (key, value, ttlMs) => {
      count('conditionalWrites', [key]);
      return grouped(() => putTx(key, value, ttlMs));
    },
    fillSlotGrouped: (key, slot, size, value) => {
      count('slotFills', [key]);
      return grouped(() => fillTx(key, slot, size, value));
    },
    readSlots: (key) => {
      count('reads', [key]);
      return readTx(key);
    },
    seal: (prefix, tombstone, ttlMs) => {
      count('writes', [prefix]);
      sealTx(prefix, tombstone, ttlMs);
    },
    delete: (keys) => {
      count('writes', keys);
      deleteTx(keys);
    },
    sweepExpired: () => {
      const t = now();
      return sweep.run(t).changes + sweepRecords.run(t).changes;
    },
  };
}
