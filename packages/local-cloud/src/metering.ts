import type { CloudProfile } from '@jointflow/ir';
import type { MeteringRow } from '@jointflow/shims';
import type { CloudDatabase } from './database';

/**
 * Billed duration and cost, the way Lambda and Function Compute bill: duration rounded up to the
 * billing granularity, times memory in GB, times the GB-second price, plus the per-request price.
 *
 * Function classes: a class with `classSpeed` s on this cloud is billed and reported for its
 * measured duration divided by s. The emulator does not slow down or speed up the real process
 * (user code is never delayed); the planner and the cost figures see the modelled speed.
 */
export function billInvocation(
  profile: CloudProfile,
  measuredMs: number,
  memoryMb: number,
  functionClass: string,
): { billedMs: number; costUsd: number } {
  const speed = profile.behaviour.classSpeed[functionClass] ?? 1;
  const granularity = profile.prices.billingGranularityMs;
  const billedMs = Math.max(granularity, Math.ceil(measuredMs / speed / granularity) * granularity);
  const costUsd =
    (billedMs / 1000) * (memoryMb / 1024) * profile.prices.perGbSecond + profile.prices.perRequest;
  return { billedMs, costUsd };
}

export interface Metering {
  record(fn: string, ok: boolean, billedMs: number, costUsd: number): void;
  totals(): MeteringRow[];
  /** Writes what accumulated in memory (also every second, and on `totals`). */
  flush(): void;
  close(): void;
}

export function createMetering(db: CloudDatabase): Metering {
  const upsert = db.prepare<[{ fn: string; failed: number; billed: number; cost: number }]>(
    `INSERT INTO metering (function, invocations, failures, billed_ms, cost_usd)
       VALUES (@fn, 1, @failed, @billed, @cost)
     ON CONFLICT (function) DO UPDATE SET invocations = invocations + 1,
       failures = failures + @failed, billed_ms = billed_ms + @billed, cost_usd = cost_usd + @cost`,
  );
  const bumpInvocations = db.prepare<[number, string]>(
    'UPDATE metering SET invocations = invocations + ? WHERE function = ?',
  );
  const all = db.prepare<
    [],
    { function: string; invocations: number; failures: number; billed_ms: number; cost_usd: number }
  >('SELECT * FROM metering ORDER BY function');
  // Invocations are summed in memory and written once a second: one spool write per function
  // per second instead of one per invocation on the cloud's only thread. A crash of the cloud
  // process loses at most the last second of metering (the per-invocation billing trace events
  // are in the trace outbox already).
  const pending = new Map<string, { failed: number; billed: number; cost: number; n: number }>();
  const writeAll = db.transaction(() => {
    for (const [fn, p] of pending) {
      upsert.run({ fn, failed: p.failed, billed: p.billed, cost: p.cost });
      if (p.n > 1) bumpInvocations.run(p.n - 1, fn);
    }
    pending.clear();
  });
  const flush = () => {
    if (pending.size > 0) writeAll();
  };
  const timer = setInterval(flush, 1_000);
  timer.unref();
  return {
    record: (fn, ok, billedMs, costUsd) => {
      const p = pending.get(fn) ?? { failed: 0, billed: 0, cost: 0, n: 0 };
      p.failed += ok ? 0 : 1;
      p.billed += billedMs;
      p.cost += costUsd;
      p.n++;
      pending.set(fn, p);
    },
    flush,
    close() {
      clearInterval(timer);
      flush();
    },
    totals: () => {
      flush();
      return all.all().map((r) => ({
        function: r.function,
        invocations: r.invocations,
        failures: r.failures,
        billedMs: r.billed_ms,
        costUsd: r.cost_usd,
      }));
    },
  };
}
