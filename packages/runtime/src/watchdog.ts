/**
 * When a stalled execution is redriven: the one policy of the API's watchdog and of
 * `runExecution` (the CLI's and the tests'). Pure: the callers observe, this decides.
 */

export interface StallPolicy {
  /** Silence (no progress, no redrive) after which an execution counts as stalled. */
  stallMs: number;
  /**
   * Each redrive that is not followed by progress doubles the patience before the next, up to
   * this multiple of `stallMs` (1: never back off). A redrive re-invokes the whole committed
   * prefix; redriving again before that walk is through only adds load, and a cloud that is
   * restarting needs minutes, not a few quick redrives.
   */
  maxBackoff: number;
  /** After this many redrives without progress the execution is given up (default: never). */
  maxRedrives?: number;
  /**
   * Within this long of the last progress (default 8 x `stallMs`), a stalled execution whose
   * clouds still hold an accepted invocation of it is waited for (a busy or paused queue), not
   * redriven; after it, it is redriven anyway.
   */
  queuedGraceMs?: number;
}

export interface StallObservation {
  now: number;
  /** The execution's last sign of progress (a trace event, its start). */
  lastProgressAt: number;
  /** The last redrive (0 when none): the silence counts from whichever came later. */
  lastRedriveAt: number;
  /** Redrives since the last progress. */
  idleRedrives: number;
  /** Longer patience the caller knows of, e.g. the timeout of a step still running. */
  inFlightMs?: number;
}

/**
 * - `wait`: not stalled yet.
 * - `ask-queue`: stalled, but recent: redrive only if no cloud still holds an invocation of it.
 * - `redrive`: stalled; redrive it from its checkpoints.
 * - `give-up`: stalled after `maxRedrives` redrives without progress.
 */
export type StallVerdict = 'wait' | 'ask-queue' | 'redrive' | 'give-up';

/**
 * Decides what a watchdog does about one running execution now.
 *
 * @example
 * const verdict = stallVerdict({ stallMs: 3_000, maxBackoff: 8 }, { now, lastProgressAt, lastRedriveAt, idleRedrives });
 * if (verdict === 'redrive' || (verdict === 'ask-queue' && !(await stillQueued(id)))) await redrive(id);
 */
export function stallVerdict(policy: StallPolicy, seen: StallObservation): StallVerdict {
  const backoff = policy.stallMs * Math.min(2 ** seen.idleRedrives, Math.max(1, policy.maxBackoff));
  const patience = Math.max(backoff, seen.inFlightMs ?? 0);
  if (seen.now - Math.max(seen.lastProgressAt, seen.lastRedriveAt) <= patience) return 'wait';
  if (policy.maxRedrives !== undefined && seen.idleRedrives >= policy.maxRedrives) return 'give-up';
  const grace = policy.queuedGraceMs ?? policy.stallMs * 8;
  return seen.now - seen.lastProgressAt < grace ? 'ask-queue' : 'redrive';
}
