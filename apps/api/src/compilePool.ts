import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CloudProfile } from '@jointflow/ir';
import { ApiError } from './apiError';
import type { CompileJob, CompileJobOutputs, CompileJobReply } from './compileJob';

export interface CompilePoolOptions {
  /** Worker threads; default one per spare core, at least 1 and at most 2. */
  size?: number;
  /** Jobs waiting for a worker beyond this are refused with 503 `API_BUSY`. */
  maxQueued?: number;
  /** A job running longer than this has its worker stopped and answers 413. */
  jobTimeoutMs?: number;
  /** Old-generation heap of each worker: a graph that needs more fails alone, not the API. */
  maxHeapMb?: number;
}

interface Pending {
  id: number;
  job: CompileJob;
  profiles: readonly CloudProfile[];
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  current?: Pending;
  timer?: NodeJS.Timeout;
}

type WorkerReply = { ready: true } | ({ id: number } & CompileJobReply);

/**
 * Compiles, plans and estimates in worker threads, so a large graph never holds the API's event
 * loop (health checks, trace ingest and event streams keep answering while it runs). Workers
 * start on first use and stay for the next job; one that crashes, runs out of its heap or over
 * its time is replaced.
 *
 * @example
 * const pool = new CompilePool(() => profiles);
 * const { ir, diagnostics } = await pool.run({ op: 'deploy', graph });
 * await pool.close();
 */
export class CompilePool {
  private readonly size: number;
  private readonly maxQueued: number;
  private readonly jobTimeoutMs: number;
  private readonly maxHeapMb: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly profiles: () => readonly CloudProfile[],
    options: CompilePoolOptions = {},
  ) {
    this.size = options.size ?? Math.min(2, Math.max(1, availableParallelism() - 1));
    this.maxQueued = options.maxQueued ?? 64;
    this.jobTimeoutMs = options.jobTimeoutMs ?? 60_000;
    this.maxHeapMb = options.maxHeapMb ?? 1024;
  }

  /** Runs one job in a worker; rejects with an `ApiError` a client can act on. */
  run<J extends CompileJob>(job: J): Promise<CompileJobOutputs[J['op']]> {
    if (this.closed) {
      return Promise.reject(new ApiError('API_BUSY', 'the server is shutting down; try again'));
    }
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new ApiError(
          'API_BUSY',
          `${this.queue.length} compile jobs are already waiting; try again in a few seconds`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({
        id: this.nextId++,
        job,
        profiles: this.profiles(),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.dispatch();
    });
  }

  /** Starts one worker ahead of the first job, so that job does not wait for its start-up. */
  warm(): void {
    if (!this.closed && this.slots.length === 0) this.spawn();
  }

  /** Stops every worker; queued and running jobs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) {
      pending.reject(new ApiError('API_BUSY', 'the server is shutting down; try again'));
    }
    await Promise.all(this.slots.splice(0).map((slot) => this.stop(slot, 'shutting down')));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.current === undefined);
      if (slot === undefined && this.slots.length < this.size) slot = this.spawn();
      if (slot === undefined) return;
      const pending = this.queue.shift();
      if (pending === undefined) return;
      this.assign(slot, pending);
    }
  }

  private assign(slot: Slot, pending: Pending): void {
    slot.current = pending;
    void slot.ready.then(() => {
      if (slot.current !== pending) return;
      // The job's time counts from when the worker has it, not from the worker's start-up.
      slot.timer = setTimeout(() => {
        void this.stop(
          slot,
          `compiling took longer than ${Math.round(this.jobTimeoutMs / 1000)} s; make the graph smaller`,
        );
      }, this.jobTimeoutMs);
      slot.timer.unref();
      slot.worker.postMessage({ id: pending.id, profiles: pending.profiles, job: pending.job });
    });
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./compileWorker.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
    });
    // An idle worker must not keep a CLI or test process alive.
    worker.unref();
    let markReady: () => void = () => {};
    const slot: Slot = {
      worker,
      ready: new Promise<void>((resolve) => {
        markReady = resolve;
      }),
    };
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        markReady();
        return;
      }
      const pending = slot.current;
      if (pending === undefined || pending.id !== reply.id) return;
      clearTimeout(slot.timer);
      slot.current = undefined;
      if (reply.ok) pending.resolve(reply.value);
      else if (reply.apiError !== undefined) {
        const { code, message, details } = reply.apiError;
        pending.reject(new ApiError(code, message, details));
      } else pending.reject(new Error(`compile job failed: ${reply.message ?? 'no reason'}`));
      this.dispatch();
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      void this.stop(
        slot,
        outOfMemory
          ? `compiling ran out of memory (${this.maxHeapMb} MB); make the graph smaller`
          : `the compiler stopped: ${error.message}`,
        !outOfMemory,
      );
    });
    worker.on('exit', () => {
      void this.stop(slot, 'the compiler stopped; try again', true);
    });
    this.slots.push(slot);
    return slot;
  }

  /** Removes a worker; its job (if any) fails with `reason`, then the queue moves on. */
  private async stop(slot: Slot, reason: string, internal = false): Promise<void> {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    clearTimeout(slot.timer);
    const pending = slot.current;
    slot.current = undefined;
    if (pending !== undefined) {
      pending.reject(
        this.closed
          ? new ApiError('API_BUSY', 'the server is shutting down; try again')
          : internal
            ? new Error(reason)
            : new ApiError('API_GRAPH_TOO_LARGE', reason),
      );
    }
    await slot.worker.terminate().catch(() => {});
    if (!this.closed) this.dispatch();
  }
}
