import { type ChildProcess, fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DeliveryInfo, FaultPoint, Invocation, TraceEvent } from '@jointflow/runtime';
import { cloudLog } from './cloudLog';
import {
  type HostMessage,
  INJECTED_CRASH_EXIT,
  type PortAnswer,
  type PortCall,
  type WorkerError,
  type WorkerInit,
  type WorkerMessage,
  type ZipEvent,
} from './workerProtocol';

/**
 * Warm worker processes hosting logical sandboxes. A sandbox is what a FaaS platform bills and
 * limits: each runs one invocation at a time, pays the profile's `coldStartMs` once when it is
 * created, and counts against the function's `concurrency`. An OS process is only the cost: one
 * worker process hosts up to `processConcurrency` sandboxes of one function (Cloud Run's and
 * Azure Functions' model), so 100 concurrent invocations need a handful of processes, not 100.
 *
 * Placement: an idle warm sandbox first, then a new sandbox in a live process of the function
 * (a modelled cold start, no process start), then a new process (the modelled cold start plus
 * the real one). Two limits: `concurrency` per function and `maxWorkers` processes for the whole
 * cloud; at the cap an idle process of another function is evicted only for a function that
 * has no process at all. Requests over the limits wait in FIFO order. Processes idle longer than
 * `keepWarmMs` exit.
 *
 * Faults stay scoped to a process: a run past its timeout kills its process (it fails with
 * `timeout`; the other invocations in that process fail as `bystander`s, which the queue
 * redelivers without counting an attempt). A process that dies by itself (`process.exit`, an
 * out-of-memory abort) with one invocation in flight blames that one; with several it cannot tell
 * which one did it, so they all fail as `unattributed`, and the queue redelivers each alone in a
 * process (`solo`), where a second death is attributable. An injected crash kills only its own
 * sandbox: the worker abandons that invocation and reports `crashed`, which fails it as a crash
 * and discards its sandbox (the next invocation placed there pays a modelled cold start), while
 * the process and its other sandboxes run on. (A zip sandbox, one per process, still exits with
 * code 97: that blames the invocation that carried the crash point.)
 */

export interface DeployedFunction {
  name: string;
  /** The script a worker process runs with plain `node`. */
  program: string;
  /** Extra node flags for the worker process. */
  execArgv: string[];
  /** The worker's working directory (a zip's unpacked code), else the cloud's. */
  cwd?: string;
  /** The user and group it runs as (a root cloud's workers never run as root: sandboxPermissions.ts). */
  identity?: { uid: number; gid: number };
  timeoutMs: number;
  /** The memory it was given, for the out-of-memory message. */
  memoryMb?: number;
  /** Sandboxes one process of this function hosts (1 for zip functions: one per process). */
  processConcurrency: number;
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
      /**
       * The process died under this invocation for a reason that is not (`bystander`) or may not
       * be (`unattributed`) this invocation's: not an attempt of its step. Redeliver it, alone in
       * a process (`solo`) when unattributed.
       */
      scope?: 'bystander' | 'unattributed';
    };

export interface RunRequest {
  payload:
    | { program: 'jointflow'; invocation: Invocation }
    | { program: 'zip'; event: ZipEvent; requestId: string };
  delivery: DeliveryInfo;
  crashAt?: FaultPoint;
  /** Run in a process that serves nothing else meanwhile (after an unattributed death). */
  solo?: boolean;
}

/** One invocation placed on a worker: from placement (its sandbox is busy) until it settles. */
interface Run {
  id: number;
  request: RunRequest;
  coldStart: boolean;
  /** performance.now() when the invoke was sent (undefined while the sandbox starts). */
  sentAt?: number;
  timer?: NodeJS.Timeout;
  settle(outcome: RunOutcome): void;
}

interface Worker {
  child: ChildProcess;
  fn: string;
  /** A Jointflow bundle (which reaches other clouds through the peers), not an uploaded zip. */
  jointflow: boolean;
  /** Sandboxes it may host. */
  capacity: number;
  /** Sandboxes created in it (each paid a cold start); the idle ones are warm. */
  sandboxes: number;
  /** Invocations in flight (placed, starting or running), by id. */
  runs: Map<number, Run>;
  /** Serving a `solo` run: it takes nothing else until that settles. */
  exclusive: boolean;
  /** Its function was redeployed while it ran: it exits when it finishes instead of staying warm. */
  retired: boolean;
  /** It printed its ready line (a death before that is a start failure). */
  started: boolean;
  /** The run whose timeout killed it. */
  killedFor?: number;
  /** performance.now() when it last took an invocation (eviction picks the oldest). */
  lastUsed: number;
  ready: Promise<void>;
  idleTimer?: NodeJS.Timeout;
  /** The end of its stderr, to tell an out-of-memory death from another crash. */
  stderrTail: string;
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
  canStart(fn: string, solo?: boolean): boolean;
  /** Whether `fn` would start in a warm sandbox, a cold one, or must wait. */
  availability(fn: string, solo?: boolean): 'warm' | 'cold' | 'none';
  /** True when `fn` already runs `concurrency` invocations (Lambda's throttle for sync invokes). */
  atConcurrency(fn: string): boolean;
  run(fn: DeployedFunction, request: RunRequest): Promise<RunOutcome>;
  /**
   * Starts a process for a just-deployed function that has none, when the cloud is under its
   * process cap (never evicting): no sandbox in it yet, so its first invocation still pays the
   * modelled cold start, but not Node's own start (1–3 s here, an emulator cost no FaaS bills).
   */
  prewarm(fn: DeployedFunction): void;
  /** Retires the workers of a function (on remove or redeploy): idle ones now, busy ones when done. */
  retire(fn: string): void;
  list(): { pid: number; function: string; busy: boolean; invocations: number }[];
  /** Tells every running Jointflow worker the cloud's peers (`options.peers`) changed. */
  peersChanged(): void;
  stop(): Promise<void>;
}

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const workers = new Set<Worker>();
  const waiting: (() => boolean)[] = [];
  let nextId = 1;
  let stopping = false;

  const busyOf = (fn: string) => {
    let n = 0;
    for (const w of workers) if (w.fn === fn) n += w.runs.size;
    return n;
  };
  const open = (w: Worker, fn: string) => w.fn === fn && !w.exclusive && !w.retired;
  /** The least loaded process of `fn` with an idle warm sandbox. */
  const warmOf = (fn: string) => {
    let best: Worker | undefined;
    for (const w of workers) {
      if (open(w, fn) && w.runs.size < w.sandboxes && (!best || w.runs.size < best.runs.size))
        best = w;
    }
    return best;
  };
  /** The least loaded process of `fn` with room for another sandbox. */
  const roomOf = (fn: string) => {
    let best: Worker | undefined;
    for (const w of workers) {
      if (open(w, fn) && w.sandboxes < w.capacity && (!best || w.runs.size < best.runs.size))
        best = w;
    }
    return best;
  };
  /** An idle process of `fn` (for a solo run). */
  const idleOf = (fn: string) => {
    for (const w of workers) if (open(w, fn) && w.runs.size === 0) return w;
    return undefined;
  };
  /** The least recently used idle process of another function. */
  const evictable = (fn: string) => {
    let victim: Worker | undefined;
    for (const w of workers) {
      if (
        w.fn !== fn &&
        w.runs.size === 0 &&
        (victim === undefined || w.lastUsed < victim.lastUsed)
      )
        victim = w;
    }
    return victim;
  };

  /**
   * A solo run that cannot start (no idle process of its function, none can be spawned) closes
   * the least loaded process of its function to new runs, so that it drains and the solo run
   * gets it. Without this a busy function's processes may never be idle at once and the solo
   * run would wait forever. One draining (or solo) process per function at a time.
   */
  function reserveForSolo(fn: string): void {
    let best: Worker | undefined;
    for (const w of workers) {
      if (w.fn !== fn) continue;
      if (w.exclusive) return;
      if (!w.retired && (best === undefined || w.runs.size < best.runs.size)) best = w;
    }
    if (best !== undefined) best.exclusive = true;
  }

  function kill(worker: Worker): void {
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    workers.delete(worker);
    if (worker.child.exitCode === null && worker.child.signalCode === null)
      worker.child.kill('SIGKILL');
  }

  function canSpawn(fn: string): boolean {
    if (workers.size < options.maxWorkers) return true;
    // At the cap, evict another function's idle process only for a function that has no
    // process at all; one that has a busy process waits for it. Otherwise every burst would
    // turn warm workers into cold starts (a process start costs far more than one step).
    for (const w of workers) if (w.fn === fn) return false;
    return evictable(fn) !== undefined;
  }

  function canStart(fn: string, solo = false): boolean {
    if (stopping) return false;
    if (busyOf(fn) >= options.concurrency) return false;
    if (solo) return idleOf(fn) !== undefined || canSpawn(fn);
    return warmOf(fn) !== undefined || roomOf(fn) !== undefined || canSpawn(fn);
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
      ...(deployed.identity !== undefined
        ? { uid: deployed.identity.uid, gid: deployed.identity.gid }
        : {}),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // JSON measured a little faster than 'advanced' for these small messages (blob bodies of
      // port calls travel as base64, see workerProtocol.ts).
      serialization: 'json',
    });
    // User output goes to the cloud's log, a record per line (its stdout carries only the ready
    // line): what a function prints is the message, with the cloud and function beside it.
    const userLog = cloudLog().child({ cloud: options.cloud, function: deployed.name });
    for (const [stream, level] of [
      [child.stdout, 'info'],
      [child.stderr, 'warn'],
    ] as const) {
      if (stream === null) continue;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
        userLog[level](line, { stream: level === 'info' ? 'stdout' : 'stderr' }),
      );
    }
    child.stderr?.on('data', (chunk: Buffer) => {
      worker.stderrTail = (worker.stderrTail + chunk.toString('utf8')).slice(-2048);
    });
    const worker: Worker = {
      stderrTail: '',
      child,
      fn: deployed.name,
      jointflow: deployed.init.program === 'jointflow',
      capacity: Math.max(1, deployed.processConcurrency),
      sandboxes: 0,
      runs: new Map(),
      exclusive: false,
      retired: false,
      started: false,
      lastUsed: performance.now(),
      ready: Promise.resolve(),
    };
    worker.ready = new Promise<void>((resolve, reject) => {
      const coldStart = new Promise((r) => setTimeout(r, options.coldStartMs));
      const onReady = (message: WorkerMessage) => {
        if (message.type === 'ready') {
          child.off('message', onReady);
          worker.started = true;
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
          cloudLog().error(`trace batch of ${deployed.name} not stored`, {
            cloud: options.cloud,
            function: deployed.name,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      } else if (message.type === 'done') {
        const run = worker.runs.get(message.id);
        if (run === undefined || run.sentAt === undefined) return;
        const durationMs = performance.now() - run.sentAt;
        finish(worker, run);
        run.settle(
          message.ok
            ? {
                ok: true,
                result: message.result,
                ...(message.base64 ? { base64: true as const } : {}),
                durationMs,
                coldStart: run.coldStart,
              }
            : {
                ok: false,
                failure: 'error',
                error: message.error,
                durationMs,
                coldStart: run.coldStart,
              },
        );
      } else if (message.type === 'crashed') {
        const run = worker.runs.get(message.id);
        if (run === undefined || run.sentAt === undefined) return;
        const durationMs = performance.now() - run.sentAt;
        // The sandbox is gone with its invocation: a later invocation here starts a new one.
        worker.sandboxes = Math.max(0, worker.sandboxes - 1);
        finish(worker, run);
        run.settle({
          ok: false,
          failure: 'crash',
          error: {
            message: `FUNCTION_CRASHED: the sandbox of ${deployed.name} crashed (an injected fault at ${message.point}); its process and other sandboxes live on`,
          },
          durationMs,
          coldStart: run.coldStart,
        });
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
      died(worker, deployed, code, signal);
      if (!stopping) freed();
    });
    child.on('error', () => undefined);
    send(child, { type: 'init', ...deployed.init });
    workers.add(worker);
    return worker;
  }

  /** Settles every invocation still in a process that exited, scoped as the header says. */
  function died(
    worker: Worker,
    deployed: DeployedFunction,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    const runs = [...worker.runs.values()];
    worker.runs.clear();
    if (runs.length === 0) return;
    // V8 prints this before it aborts on its heap limit; the exit alone does not say why.
    const outOfMemory = /heap out of memory|Reached heap limit/.test(worker.stderrTail);
    const how = code === null ? `signal ${signal}` : `code ${code}`;
    const sent = runs.filter((r) => r.sentAt !== undefined);
    for (const run of runs) {
      const durationMs = run.sentAt === undefined ? 0 : performance.now() - run.sentAt;
      const base = { ok: false as const, durationMs, coldStart: run.coldStart };
      if (!worker.started) {
        // It never started (e.g. the module throws at load): every run of it would fail alike.
        run.settle({
          ...base,
          failure: 'crash',
          error: {
            message: `FUNCTION_CRASHED: the worker of ${deployed.name} exited during start with ${how}`,
          },
        });
      } else if (worker.killedFor !== undefined || run.sentAt === undefined) {
        run.settle({
          ...base,
          failure: 'crash',
          scope: 'bystander',
          error: {
            message: `FUNCTION_CRASHED: the worker process of ${deployed.name} was killed ${worker.killedFor !== undefined ? 'because another invocation in it ran past its timeout' : 'while this invocation waited for its sandbox'}; redelivered`,
          },
        });
      } else if (
        code === INJECTED_CRASH_EXIT &&
        sent.length > 1 &&
        run.request.crashAt === undefined
      ) {
        run.settle({
          ...base,
          failure: 'crash',
          scope: 'bystander',
          error: {
            message: `FUNCTION_CRASHED: the worker process of ${deployed.name} crashed (an injected fault of another invocation in it); redelivered`,
          },
        });
      } else {
        const unattributed = sent.length > 1 && code !== INJECTED_CRASH_EXIT;
        run.settle({
          ...base,
          failure: outOfMemory ? 'oom' : 'crash',
          ...(unattributed ? { scope: 'unattributed' as const } : {}),
          error: {
            message: outOfMemory
              ? `FUNCTION_OUT_OF_MEMORY: ${deployed.name} ran out of its memory (${deployed.memoryMb ?? '?'} MB) and was killed${unattributed ? ` (with ${sent.length} invocations in the process; each is redelivered alone)` : ''}`
              : `FUNCTION_CRASHED: the worker of ${deployed.name} exited with ${how}${unattributed ? ` (with ${sent.length} invocations in the process; each is redelivered alone)` : ''}`,
          },
        });
      }
    }
  }

  function send(child: ChildProcess, message: HostMessage): void {
    if (child.connected) child.send(message, (error) => error && undefined);
  }

  /** A run ended with an answer: its sandbox is idle again. */
  function finish(worker: Worker, run: Run): void {
    if (run.timer) clearTimeout(run.timer);
    worker.runs.delete(run.id);
    if (worker.runs.size > 0) {
      freed();
      return;
    }
    worker.exclusive = false;
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
    coldStart: 'process' | 'sandbox' | false,
  ): Promise<RunOutcome> {
    const id = nextId++;
    let settle: (outcome: RunOutcome) => void = () => undefined;
    const outcome = new Promise<RunOutcome>((resolve) => {
      let settled = false;
      settle = (o) => {
        if (settled) return;
        settled = true;
        resolve(o);
      };
    });
    const run: Run = { id, request, coldStart: coldStart !== false, settle: (o) => settle(o) };
    worker.runs.set(id, run);
    worker.lastUsed = performance.now();
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    if (request.solo) worker.exclusive = true;
    // A new sandbox in a live process pays the modelled cold start from its placement (a new
    // process pays it in `ready`, alongside the real start; a sandbox placed in a process still
    // starting waits for whichever ends later).
    const warmAt = coldStart === 'sandbox' ? performance.now() + options.coldStartMs : 0;
    void worker.ready.then(
      async () => {
        const wait = warmAt - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!worker.runs.has(id) || !workers.has(worker)) return;
        run.sentAt = performance.now();
        run.timer = setTimeout(() => {
          // The run past its timeout fails; its process goes, and with it (as bystanders) every
          // other invocation it held.
          worker.runs.delete(id);
          worker.killedFor = id;
          // The others die with the process as bystanders, not by their own timers (a busy loop
          // starves them all, so their timers come due together with this one).
          for (const other of worker.runs.values()) if (other.timer) clearTimeout(other.timer);
          kill(worker);
          freed();
          settle({
            ok: false,
            failure: 'timeout',
            error: {
              message: `FUNCTION_TIMEOUT: ${deployed.name} ran past its timeout of ${deployed.timeoutMs} ms and was killed`,
            },
            durationMs: performance.now() - (run.sentAt ?? 0),
            coldStart: run.coldStart,
          });
        }, deployed.timeoutMs);
        const message: HostMessage = {
          type: 'invoke',
          id,
          delivery: request.delivery,
          ...request.payload,
        };
        if (request.crashAt !== undefined) message.crashAt = request.crashAt;
        send(worker.child, message);
      },
      () => undefined, // a start failure settles the run in `died`
    );
    return outcome;
  }

  function tryStart(
    deployed: DeployedFunction,
    request: RunRequest,
  ): Promise<RunOutcome> | undefined {
    const fn = deployed.name;
    if (!canStart(fn, request.solo)) return undefined;
    if (request.solo) {
      const idle = idleOf(fn);
      if (idle) return runOn(idle, deployed, request, idle.sandboxes > 0 ? false : 'sandbox');
      const fresh = spawn(deployed);
      fresh.sandboxes = 1;
      return runOn(fresh, deployed, request, 'process');
    }
    const warm = warmOf(fn);
    if (warm) return runOn(warm, deployed, request, false);
    const room = roomOf(fn);
    if (room) {
      room.sandboxes++;
      return runOn(room, deployed, request, 'sandbox');
    }
    const fresh = spawn(deployed);
    fresh.sandboxes = 1;
    return runOn(fresh, deployed, request, 'process');
  }

  return {
    canStart,
    atConcurrency: (fn) => busyOf(fn) >= options.concurrency,
    availability(fn, solo = false) {
      if (stopping) return 'none';
      if (solo) {
        const idle = idleOf(fn);
        if (idle && idle.sandboxes > 0) return 'warm';
      } else if (warmOf(fn)) return 'warm';
      if (canStart(fn, solo)) return 'cold';
      if (solo) reserveForSolo(fn);
      return 'none';
    },
    run(deployed, request) {
      const started = tryStart(deployed, request);
      if (started) return started;
      if (request.solo) reserveForSolo(deployed.name);
      return new Promise<RunOutcome>((resolve) => {
        waiting.push(() => {
          const later = tryStart(deployed, request);
          if (later === undefined) return false;
          later.then(resolve);
          return true;
        });
      });
    },
    prewarm(deployed) {
      if (stopping || workers.size >= options.maxWorkers) return;
      for (const w of workers) if (w.fn === deployed.name) return;
      const worker = spawn(deployed);
      // Idle like a process whose last run ended: it exits after keep-warm, or is evicted.
      worker.idleTimer = setTimeout(() => kill(worker), options.keepWarmMs);
      worker.idleTimer.unref();
    },
    retire(fn) {
      for (const w of [...workers]) {
        if (w.fn !== fn) continue;
        if (w.runs.size > 0) w.retired = true;
        else kill(w);
      }
    },
    list: () =>
      [...workers].map((w) => ({
        pid: w.child.pid ?? 0,
        function: w.fn,
        busy: w.runs.size > 0,
        invocations: w.runs.size,
      })),
    peersChanged() {
      for (const w of workers)
        if (w.jointflow) send(w.child, { type: 'peers', peers: options.peers });
    },
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
