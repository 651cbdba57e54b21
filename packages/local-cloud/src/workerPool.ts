import { type ChildProcess, fork } from 'node:child_process';
import type { DeliveryInfo, FaultPoint, Invocation, TraceEvent } from '@jointflow/runtime';
import type {
  HostMessage,
  PortAnswer,
  PortCall,
  WorkerError,
  WorkerInit,
  WorkerMessage,
  ZipEvent,
} from './workerProtocol';

/**
 * Warm worker processes, Lambda style: each worker hosts one function and runs one invocation at
 * a time. A request with no idle warm worker starts one (a cold start: the profile's `coldStartMs`
 * on top of the real process start). Workers idle longer than `keepWarmMs` exit. Two limits:
 * `concurrency` per function and `maxWorkers` for the whole cloud, which keeps memory bounded
 * (an idle worker of another function is evicted to make room). Requests over the limits wait in
 * FIFO order. A run past the function's timeout kills its worker.
 */

/**
 * What the pool needs to start and feed a worker of one function: a Jointflow bundle or the zip
 * sandbox program, with its init message. `name` is the pool's key (warm workers, concurrency).
 */
export interface DeployedFunction {
  name: string;
  /** The script a worker process runs with plain `node`. */
  program: string;
  /** Extra node flags for the worker process. */
  execArgv: string[];
  /** The worker's working directory (a zip's unpacked code), else the cloud's. */
  cwd?: string;
  timeoutMs: number;
  /** The memory it was given, for the out-of-memory message. */
  memoryMb?: number;
  /** Environment handed to the worker process (never a Jointflow function's trace secret). */
  env: Record<string, string>;
  init: WorkerInit;
}

export type RunOutcome =
  | { ok: true; result: unknown; base64?: true; durationMs: number; coldStart: boolean }
  | {
      ok: false;
      /** `oom`: the worker died of its heap limit (the step's `memoryMb`). */
      failure: 'error' | 'crash' | 'timeout' | 'oom';
      error: WorkerError;
      durationMs: number;
      coldStart: boolean;
    };

export interface RunRequest {
  payload:
    | { program: 'jointflow'; invocation: Invocation }
    | { program: 'zip'; event: ZipEvent; requestId: string };
  delivery: DeliveryInfo;
  crashAt?: FaultPoint;
}

interface Worker {
  child: ChildProcess;
  fn: string;
  busy: boolean;
  /** Its function was redeployed while it ran: it exits when it finishes instead of staying warm. */
  retired: boolean;
  /** performance.now() when it last took an invocation (eviction picks the oldest). */
  lastUsed: number;
  ready: Promise<void>;
  idleTimer?: NodeJS.Timeout;
  /** Settles the invocation in progress when the worker dies under it. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** The end of its stderr, to tell an out-of-memory death from another crash. */
  stderrTail: string;
  onDone?: (message: Extract<WorkerMessage, { type: 'done' }>) => void;
}

export interface WorkerPoolOptions {
  cloud: string;
  peers: Record<string, string>;
  coldStartMs: number;
  keepWarmMs: number;
  concurrency: number;
  maxWorkers: number;
  /** Trace events from a worker, handled before any later message of that worker. */
  onTrace(fn: string, events: TraceEvent[]): void;
  /** Called whenever capacity frees up, so the async queue can dispatch more. */
  onCapacity(): void;
  /** A worker's call to this cloud's own API (store, blobs, invoke) over IPC. */
  onPortCall(call: PortCall): Promise<PortAnswer>;
}

export interface WorkerPool {
  /** True when an invocation of `fn` would start now rather than wait. */
  canStart(fn: string): boolean;
  /** Whether `fn` would start on a warm worker, a cold one, or must wait. */
  availability(fn: string): 'warm' | 'cold' | 'none';
  /** True when `fn` already runs `concurrency` invocations (Lambda's throttle for sync invokes). */
  atConcurrency(fn: string): boolean;
  run(fn: DeployedFunction, request: RunRequest): Promise<RunOutcome>;
  /** Retires the workers of a function (on remove or redeploy): idle ones now, busy ones when done. */
  retire(fn: string): void;
  list(): { pid: number; function: string; busy: boolean }[];
  stop(): Promise<void>;
}

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const workers = new Set<Worker>();
  const waiting: (() => boolean)[] = [];
  let nextId = 1;
  let stopping = false;

  const busyOf = (fn: string) => {
    let n = 0;
    for (const w of workers) if (w.fn === fn && w.busy) n++;
    return n;
  };
  const idleOf = (fn: string) => {
    for (const w of workers) if (w.fn === fn && !w.busy) return w;
    return undefined;
  };
  /** The least recently used idle worker of another function. */
  const evictable = (fn: string) => {
    let victim: Worker | undefined;
    for (const w of workers) {
      if (w.fn !== fn && !w.busy && (victim === undefined || w.lastUsed < victim.lastUsed))
        victim = w;
    }
    return victim;
  };

  function kill(worker: Worker): void {
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    workers.delete(worker);
    if (worker.child.exitCode === null && worker.child.signalCode === null)
      worker.child.kill('SIGKILL');
  }

  function canStart(fn: string): boolean {
    if (stopping) return false;
    if (idleOf(fn)) return true;
    const busy = busyOf(fn);
    if (busy >= options.concurrency) return false;
    if (workers.size < options.maxWorkers) return true;
    // At the cap, evict another function's idle worker only for a function that has no worker
    // at all; one that has a busy worker waits for it. Otherwise every burst would turn warm
    // workers into cold starts (a process start costs far more than waiting for one step).
    return busy === 0 && evictable(fn) !== undefined;
  }

  function spawn(deployed: DeployedFunction): Worker {
    if (workers.size >= options.maxWorkers) {
      const victim = evictable(deployed.name);
      if (victim) kill(victim);
    }
    const child = fork(deployed.program, [], {
      execArgv: deployed.execArgv,
      env: deployed.env,
      ...(deployed.cwd !== undefined ? { cwd: deployed.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // JSON measured a little faster than 'advanced' for these small messages (blob bodies of
      // port calls travel as base64, see workerProtocol.ts).
      serialization: 'json',
    });
    // User output goes to the cloud's stderr: its stdout carries only the ready line.
    child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      worker.stderrTail = (worker.stderrTail + chunk.toString('utf8')).slice(-2048);
    });
    const worker: Worker = {
      stderrTail: '',
      child,
      fn: deployed.name,
      busy: true,
      retired: false,
      lastUsed: performance.now(),
      ready: Promise.resolve(),
    };
    worker.ready = new Promise<void>((resolve, reject) => {
      const coldStart = new Promise((r) => setTimeout(r, options.coldStartMs));
      const onReady = (message: WorkerMessage) => {
        if (message.type === 'ready') {
          child.off('message', onReady);
          coldStart.then(() => resolve());
        }
      };
      child.on('message', onReady);
      child.once('exit', (code) => reject(new Error(`worker exited during start (code ${code})`)));
    });
    worker.ready.catch(() => undefined);
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'trace') {
        try {
          options.onTrace(deployed.name, message.events);
        } catch (error) {
          // The spool refused the batch (e.g. a full disk): say so; a redrive re-emits the events.
          process.stderr.write(
            `[${options.cloud}] trace batch of ${deployed.name} not stored: ${error instanceof Error ? error.message : String(error)}\n`,
          );
        }
      } else if (message.type === 'done') {
        worker.onDone?.(message);
      } else if (message.type === 'port') {
        options.onPortCall(message).then(
          (answer) => send(child, { type: 'portReply', id: message.id, ...answer }),
          (error: unknown) =>
            send(child, {
              type: 'portReply',
              id: message.id,
              status: 500,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                error: {
                  code: 'LOCAL_INTERNAL',
                  message: error instanceof Error ? error.message : String(error),
                },
              }),
            }),
        );
      }
    });
    child.on('exit', (code, signal) => {
      workers.delete(worker);
      if (worker.idleTimer) clearTimeout(worker.idleTimer);
      worker.onExit?.(code, signal);
      if (!stopping) freed();
    });
    child.on('error', () => undefined);
    send(child, { type: 'init', ...deployed.init });
    workers.add(worker);
    return worker;
  }

  function send(child: ChildProcess, message: HostMessage): void {
    if (child.connected) child.send(message, (error) => error && undefined);
  }

  function release(worker: Worker): void {
    worker.busy = false;
    worker.onDone = undefined;
    worker.onExit = undefined;
    if (worker.retired) {
      // Redeployed while it ran: the next invocation must run the new code.
      kill(worker);
      freed();
      return;
    }
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    worker.idleTimer = setTimeout(() => kill(worker), options.keepWarmMs);
    worker.idleTimer.unref();
    freed();
  }

  /** Serves waiting callers first, then lets the async queue dispatch. */
  function freed(): void {
    while (waiting.length > 0) {
      const next = waiting[0];
      if (next === undefined || !next()) break;
      waiting.shift();
    }
    options.onCapacity();
  }

  async function runOn(
    worker: Worker,
    deployed: DeployedFunction,
    request: RunRequest,
    coldStart: boolean,
  ): Promise<RunOutcome> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    try {
      await worker.ready;
    } catch (error) {
      kill(worker);
      freed();
      return {
        ok: false,
        failure: 'crash',
        error: { message: error instanceof Error ? error.message : String(error) },
        durationMs: elapsed(),
        coldStart,
      };
    }
    const runStarted = performance.now();
    const id = nextId++;
    return new Promise<RunOutcome>((resolve) => {
      const timer = setTimeout(() => {
        worker.onExit = undefined;
        kill(worker);
        freed();
        resolve({
          ok: false,
          failure: 'timeout',
          error: {
            message: `FUNCTION_TIMEOUT: ${deployed.name} ran past its timeout of ${deployed.timeoutMs} ms and was killed`,
          },
          durationMs: performance.now() - runStarted,
          coldStart,
        });
      }, deployed.timeoutMs);
      worker.onExit = (code, signal) => {
        clearTimeout(timer);
        // V8 prints this before it aborts on its heap limit; the exit alone does not say why.
        const outOfMemory = /heap out of memory|Reached heap limit/.test(worker.stderrTail);
        resolve({
          ok: false,
          failure: outOfMemory ? 'oom' : 'crash',
          error: {
            message: outOfMemory
              ? `FUNCTION_OUT_OF_MEMORY: ${deployed.name} ran out of its memory (${deployed.memoryMb ?? '?'} MB) and was killed`
              : `FUNCTION_CRASHED: the worker of ${deployed.name} exited with ${code === null ? `signal ${signal}` : `code ${code}`}`,
          },
          durationMs: performance.now() - runStarted,
          coldStart,
        });
      };
      worker.onDone = (message) => {
        clearTimeout(timer);
        const durationMs = performance.now() - runStarted;
        release(worker);
        resolve(
          message.ok
            ? {
                ok: true,
                result: message.result,
                ...(message.base64 ? { base64: true as const } : {}),
                durationMs,
                coldStart,
              }
            : { ok: false, failure: 'error', error: message.error, durationMs, coldStart },
        );
      };
      const message: HostMessage = {
        type: 'invoke',
        id,
        delivery: request.delivery,
        ...request.payload,
      };
      if (request.crashAt !== undefined) message.crashAt = request.crashAt;
      send(worker.child, message);
    });
  }

  function tryStart(
    deployed: DeployedFunction,
    request: RunRequest,
  ): Promise<RunOutcome> | undefined {
    if (!canStart(deployed.name)) return undefined;
    const idle = idleOf(deployed.name);
    if (idle) {
      idle.busy = true;
      idle.lastUsed = performance.now();
      if (idle.idleTimer) clearTimeout(idle.idleTimer);
      return runOn(idle, deployed, request, false);
    }
    return runOn(spawn(deployed), deployed, request, true);
  }

  return {
    canStart,
    atConcurrency: (fn) => busyOf(fn) >= options.concurrency,
    availability(fn) {
      if (stopping) return 'none';
      if (idleOf(fn)) return 'warm';
      return canStart(fn) ? 'cold' : 'none';
    },
    run(deployed, request) {
      const started = tryStart(deployed, request);
      if (started) return started;
      return new Promise<RunOutcome>((resolve) => {
        waiting.push(() => {
          const later = tryStart(deployed, request);
          if (later === undefined) return false;
          later.then(resolve);
          return true;
        });
      });
    },
    retire(fn) {
      for (const w of [...workers]) {
        if (w.fn !== fn) continue;
        if (w.busy) w.retired = true;
        else kill(w);
      }
    },
    list: () => [...workers].map((w) => ({ pid: w.child.pid ?? 0, function: w.fn, busy: w.busy })),
    async stop() {
      stopping = true;
      const exits = [...workers].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null || w.child.signalCode !== null) resolve();
            else w.child.once('exit', () => resolve());
          }),
      );
      for (const w of [...workers]) kill(w);
      await Promise.all(exits);
    },
  };
}
