import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Availability, createAsyncQueue } from './asyncQueue';
import { type CloudDatabases, openCloudDatabase } from './database';

let dir: string;
let db: CloudDatabases | undefined;

function open(): CloudDatabases {
  db?.close();
  db = openCloudDatabase(dir, 'fsync');
  return db;
}

afterEach(() => {
  db?.close();
  db = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const all =
  (a: Availability) =>
  (_fn: string): Availability =>
    a;

describe('the async queue', () => {
  it('dispatches oldest first, prefers warm workers, lets a starving function evict', () => {
    dir = mkdtempSync(join(tmpdir(), 'jf-queue-'));
    const queue = createAsyncQueue(open().spool, 500);
    const now = Date.now();
    queue.enqueue('a', 'e1', '{"execution":"e1"}', now, 'a#0');
    queue.enqueue('b', 'e1', '{"execution":"e1"}', now, 'b#0');
    queue.enqueue('a', 'e2', '{"execution":"e2"}', now + 60_000, 'a#1');
    expect(queue.take(now, all('cold'))?.fn).toBe('a');
    // a's next entry is delayed, so only b is due, warm a or not.
    const warmA = (fn: string): Availability => (fn === 'a' ? 'warm' : 'cold');
    expect(queue.take(now, warmA)?.fn).toBe('b');
    expect(queue.take(now, all('cold'))).toBeUndefined();
    expect(queue.nextDueAt()).toBe(now + 60_000);

    queue.enqueue('b', 'e3', '{"execution":"e3"}', now, 'b#1');
    queue.enqueue('a', 'e3', '{"execution":"e3"}', now, 'a#2');
    // The warm function goes first while the cold one has not waited long…
    expect(queue.take(now, warmA)?.fn).toBe('a');
    queue.enqueue('a', 'e3', '{"execution":"e3"}', now, 'a#3');
    // …but an entry waiting longer than starveMs goes first even if it needs a cold start.
    expect(queue.take(now + 1_000, warmA)?.fn).toBe('b');
    expect(queue.take(now + 1_000, (fn) => (fn === 'a' ? 'none' : 'warm'))).toBeUndefined();
  });

  it('counts pending invocations per execution and brings unfinished rows back after a restart', () => {
    dir = mkdtempSync(join(tmpdir(), 'jf-queue-'));
    const queue = createAsyncQueue(open().spool);
    const now = Date.now();
    queue.enqueue('f', 'ex', '{"execution":"ex","n":1}', now, 'f#0');
    queue.enqueue('f', 'ex', '{"execution":"ex","n":2}', now, 'f#1');
    queue.enqueue('f', 'other', '{"execution":"other"}', now, 'f#2');
    expect(queue.pendingOf('ex')).toBe(2);
    const first = queue.take(now, all('warm'));
    if (first === undefined) throw new Error('nothing due');
    // Running still counts as pending.
    expect(queue.pendingOf('ex')).toBe(2);
    queue.finish(first);
    expect(queue.pendingOf('ex')).toBe(1);
    const second = queue.take(now, all('warm'));
    if (second === undefined) throw new Error('nothing due');
    queue.retry(second, now + 10);
    expect(second.attempt).toBe(2);
    expect(queue.size()).toBe(2);

    // A crash of the cloud (after its batch of row writes): a new queue over the same files runs
    // the unfinished rows again.
    queue.flush();
    const reopened = createAsyncQueue(open().spool);
    expect(reopened.size()).toBe(2);
    expect(reopened.pendingOf('ex')).toBe(1);
    expect(reopened.pendingOf('other')).toBe(1);
    const later = Date.now() + 100;
    const bodies = [reopened.take(later, all('warm')), reopened.take(later, all('warm'))].map(
      (e) => e?.body,
    );
    expect(bodies.sort()).toEqual(['{"execution":"ex","n":2}', '{"execution":"other"}']);
  });

  it('moves an exhausted invocation to the dead letters', () => {
    dir = mkdtempSync(join(tmpdir(), 'jf-queue-'));
    const dbs = open();
    const queue = createAsyncQueue(dbs.spool);
    queue.enqueue('f', 'ex', '{"execution":"ex"}', Date.now(), 'f#0');
    const entry = queue.take(Date.now(), all('warm'));
    if (entry === undefined) throw new Error('nothing due');
    queue.deadLetter(entry, 'FUNCTION_CRASHED: boom');
    expect(queue.size()).toBe(0);
    expect(queue.pendingOf('ex')).toBe(0);
    const dead = dbs.spool.prepare('SELECT function, error FROM dead_letters').all();
    expect(dead).toEqual([{ function: 'f', error: 'FUNCTION_CRASHED: boom' }]);
  });
});
