import type { FaultPoint } from '@jointflow/runtime';
import type { FaultSpec } from '@jointflow/shims';

/**
 * Seeded, reproducible fault injection. Each decision is a pure function of the seed, the
 * invocation's identity (execution, function, instance, join flag), how many times this cloud has
 * received that identity, the attempt and the kind of fault — never of arrival order — so the same
 * seed injects the same faults into the same invocations even though workers race.
 *
 * Crashes are never injected into an invocation's last platform attempt: an injected crash models
 * a transient failure, and the async queue's retries are what recover from it. Drops are
 * recovered only by a redrive.
 */

export interface DeliveryFaults {
  /** Accept (202) and never deliver. */
  drop: boolean;
  /** Deliver a second, unflagged copy. */
  duplicate: boolean;
  /** Extra delay before delivery, ms (reordering). */
  delayMs: number;
}

export interface FaultInjector {
  configure(spec: FaultSpec): void;
  spec(): FaultSpec;
  /** Faults for one accepted Event invoke. */
  onAccept(identity: string): DeliveryFaults;
  /** Where (if anywhere) this attempt's worker kills itself. */
  crashPoint(identity: string, attempt: number, maxAttempts: number): FaultPoint | undefined;
  /** Until when (epoch ms) the compute outage lasts, if one is active at `now`. */
  outageUntil(now: number): number | undefined;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A uniform number in [0, 1) drawn from the seed and `parts` (mulberry32 over an FNV-1a hash). */
export function seededUniform(seed: number, ...parts: (string | number)[]): number {
  let t = (fnv1a(`${seed}|${parts.join('|')}`) + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export function createFaultInjector(now: () => number = Date.now): FaultInjector {
  let current: FaultSpec = {};
  let outage: { from: number; until: number } | undefined;
  const received = new Map<string, number>();
  const seed = () => current.seed ?? 0;

  return {
    configure(spec) {
      current = spec;
      received.clear();
      outage =
        spec.outage === undefined
          ? undefined
          : {
              from: now() + spec.outage.startInMs,
              until: now() + spec.outage.startInMs + spec.outage.durationMs,
            };
    },
    spec: () => current,
    onAccept(identity) {
      const n = (received.get(identity) ?? 0) + 1;
      if (received.size > 200_000) received.clear();
      received.set(identity, n);
      const draw = (what: string) => seededUniform(seed(), identity, n, what);
      const reorder = current.reorderMs ?? 0;
      return {
        drop: draw('drop') < (current.drop ?? 0),
        duplicate: draw('duplicate') < (current.duplicate ?? 0),
        delayMs: reorder > 0 ? Math.floor(draw('delay') * reorder) : 0,
      };
    },
    crashPoint(identity, attempt, maxAttempts) {
      if (attempt >= maxAttempts) return undefined;
      const before = current.crashBeforeCommit ?? 0;
      const after = current.crashAfterCommit ?? 0;
      const roll = seededUniform(seed(), identity, attempt, 'crash');
      if (roll < before) return 'before-commit';
      if (roll < before + after) {
        return seededUniform(seed(), identity, attempt, 'crash-point') < 0.5
          ? 'after-commit'
          : 'before-invoke';
      }
      return undefined;
    },
    outageUntil(at) {
      if (outage === undefined || at < outage.from || at >= outage.until) return undefined;
      return outage.until;
    },
  };
}
