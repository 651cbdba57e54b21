import { AsyncLocalStorage } from 'node:async_hooks';
import type { FunctionContext, FunctionIR } from '@jointflow/ir';
import type { FaultPoint, RuntimePorts, TraceEvent, TraceSink } from '@jointflow/runtime';
import {
  type CloudEndpoint,
  type CloudTransport,
  createHttpBlobs,
  createHttpInvoker,
  createHttpStore,
  type HttpResponse,
  httpTransport,
  ShimError,
} from '@jointflow/shims';
import { createInvocationRunner, type InvocationRunner } from './functionProgram';
import { installSourceMappedStacks } from './sourceMappedStacks';
import {
  decodePortBody,
  encodePortBody,
  type HostMessage,
  type PortAnswer,
  type WorkerError,
  type WorkerMessage,
} from './workerProtocol';

/**
 * The program inside every worker process (bundled with the user's code, see bundler.ts). It
 * builds real runtime ports — clients of each cloud's store, blob and invoke API (its own cloud
 * over the IPC channel it already has, the others over loopback HTTP), a trace sink that hands
 * batches to the host over IPC — and runs the invocations the host sends, several at once when
 * the profile's `processConcurrency` lets one process host several sandboxes. What belongs to
 * one invocation (its injected crash point, whether its sandbox crashed) lives in an
 * AsyncLocalStorage, not in the process.
 *
 * An injected crash is a crash of one logical sandbox, not of the process: at its fault point
 * the invocation tells the host `crashed` (the host fails it as a crash, an attempt of its
 * step), is unwound by a throw that nothing in the runtime catches, and from then on nothing it
 * does leaves the process — its port calls never go out and never settle, its trace events are
 * dropped, no `done` is sent — exactly what its neighbours would see had its own process died.
 * A real exit here would kill every sandbox in the process (measured: the chaos run went from
 * 104 s to 336 s at 8 per process, with 10x the redrives).
 */

/** What belongs to one invocation in flight in this process. */
interface InvocationScope {
  /** The host's id of the invocation. */
  id: number;
  crashAt?: FaultPoint;
  /** Its sandbox crashed at `crashAt`: whatever it still does is dropped. */
  crashed: boolean;
}

/**
 * Unwinds an invocation whose sandbox crashed at an injected fault point. The runtime does not
 * catch it where it calls `faultPoint` (outside its retry loop; `follow` rethrows through
 * `trace.finish`), and the worker never reports it as the invocation's error.
 */
class InjectedSandboxCrash extends Error {
  constructor(point: FaultPoint) {
    super(`FUNCTION_CRASHED: injected crash at ${point}`);
    this.name = 'InjectedSandboxCrash';
  }
}

/** Never settles: a call made by a sandbox that no longer exists. */
const never = <T>() => new Promise<T>(() => undefined);

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function toWorkerError(error: unknown): WorkerError {
  if (error instanceof Error) {
    const out: WorkerError = { message: error.message, name: error.name };
    if (error.stack !== undefined) out.stack = error.stack;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') out.code = code;
    return out;
  }
  return { message: String(error) };
}

/**
 * Events go to the host over IPC. A flush resolves once the batch is in the kernel's pipe to the
 * host (the `send` callback): from there the host reads it even if this worker exits right after
 * (a pipe keeps what was written), and queues it for its spool before it handles this worker's
 * `done`, which comes later on the same ordered channel. No acknowledgement round trip: the
 * worker never waits for the host's disk, nor for a second wake-up.
 */
function createIpcTraceSink(abandoned: () => boolean): { sink: TraceSink } {
  let buffer: TraceEvent[] = [];
  let nextFlush = 1;
  return {
    sink: {
      emit(event) {
        if (abandoned()) return;
        buffer.push(event);
      },
      flush() {
        if (buffer.length === 0) return Promise.resolve();
        // Sent from the next macrotask: the runtime flushes alongside the step's invokes, and the
        // invoke (the next step's start) should reach the cloud first, not queue behind the
        // spool write of this batch. Events emitted meanwhile ride along.
        return new Promise<void>((resolve, reject) => {
          setImmediate(() => {
            if (buffer.length === 0) {
              resolve();
              return;
            }
            const events = buffer;
            buffer = [];
            const flushId = nextFlush++;
            const message: WorkerMessage = { type: 'trace', flushId, events };
            if (process.send === undefined) {
              reject(new Error('LOCAL_NO_HOST: the worker has no IPC channel to its cloud'));
              return;
            }
            process.send(message, undefined, {}, (error: Error | null) =>
              error ? reject(error) : resolve(),
            );
          });
        });
      },
    },
  };
}

/**
 * The transport to this worker's own cloud: each request goes over the IPC channel with an id and
 * the host answers it through the same routes as HTTP. It saves the loopback socket's wake-ups on
 * the critical path (the commit and the same-cloud invoke of every step).
 */
function createIpcTransport(
  cloud: string,
  abandoned: () => boolean,
): {
  transport: CloudTransport;
  answer(id: number, answer: PortAnswer): void;
} {
  const waiting = new Map<number, (res: HttpResponse) => void>();
  let nextId = 1;
  const label = `ipc:${cloud}`;
  return {
    transport: {
      label,
      send(request) {
        if (abandoned()) return never<HttpResponse>();
        return new Promise<HttpResponse>((resolve, reject) => {
          if (process.send === undefined) {
            reject(new ShimError('CLOUD_UNREACHABLE', `${label}: the worker has no IPC channel`));
            return;
          }
          const id = nextId++;
          waiting.set(id, resolve);
          const message: WorkerMessage = {
            type: 'port',
            id,
            method: request.method,
            path: request.path,
            headers: request.headers ?? {},
            ...(request.body !== undefined ? encodePortBody(request.body) : {}),
          };
          process.send(message, undefined, {}, (error: Error | null) => {
            if (error) {
              waiting.delete(id);
              reject(new ShimError('CLOUD_UNREACHABLE', `${label}: ${error.message}`));
            }
          });
        });
      },
    },
    answer(id, answer) {
      const resolve = waiting.get(id);
      if (resolve === undefined) return;
      waiting.delete(id);
      resolve({ status: answer.status, headers: answer.headers, body: decodePortBody(answer) });
    },
  };
}

export function startWorker(userModule: Record<string, unknown>): void {
  // The harness and the user's module run bundled, each with its source map beside it.
  installSourceMappedStacks();
  let runner: InvocationRunner | undefined;
  let ports: RuntimePorts | undefined;
  // The invocation whose code is running (several may be in flight).
  const invocationScope = new AsyncLocalStorage<InvocationScope>();
  const abandoned = () => invocationScope.getStore()?.crashed === true;
  const trace = createIpcTraceSink(abandoned);
  let ownCloud: ReturnType<typeof createIpcTransport> | undefined;
  /** Points this worker at the cloud's current peers (set by `init`). */
  let setPeers: ((peers: Record<string, string>) => void) | undefined;

  function init(
    cloud: string,
    peers: Record<string, string>,
    deployment: string,
    fn: FunctionIR,
    context: FunctionContext,
  ) {
    const stores = new Map<string, ReturnType<typeof createHttpStore>>();
    const blobs = new Map<string, ReturnType<typeof createHttpBlobs>>();
    const own = createIpcTransport(cloud, abandoned);
    ownCloud = own;
    // One endpoint per cloud: its own over IPC, every other over HTTP (with their latency); a
    // crashed sandbox reaches none of them.
    const endpoints: Record<string, CloudEndpoint> = { [cloud]: own.transport };
    const urls = new Map<string, string>();
    setPeers = (next) => {
      for (const [id, url] of Object.entries(next)) {
        if (id === cloud || urls.get(id) === url) continue;
        urls.set(id, url);
        const http = httpTransport(url);
        endpoints[id] = {
          label: http.label,
          send: (request) => (abandoned() ? never<HttpResponse>() : http.send(request)),
        };
        // Clients made for the old address go; the next call makes them for the new one.
        stores.delete(id);
        blobs.delete(id);
      }
    };
    setPeers(peers);
    const endpointOf = (target: string): CloudEndpoint => {
      const endpoint = endpoints[target];
      if (endpoint === undefined)
        throw new Error(`LOCAL_UNKNOWN_CLOUD: no local cloud "${target}"`);
      return endpoint;
    };
    ports = {
      cloud,
      store(target) {
        let store = stores.get(target);
        if (store === undefined) {
          store = createHttpStore(endpointOf(target), cloud);
          stores.set(target, store);
        }
        return store;
      },
      blobs(target) {
        let store = blobs.get(target);
        if (store === undefined) {
          store = createHttpBlobs(endpointOf(target), cloud);
          blobs.set(target, store);
        }
        return store;
      },
      invoker: createHttpInvoker(endpoints, cloud),
      trace: trace.sink,
      now: () => Date.now(),
      faultPoint(point) {
        const scope = invocationScope.getStore();
        if (scope === undefined || scope.crashAt !== point || scope.crashed) return;
        scope.crashed = true;
        send({ type: 'crashed', id: scope.id, point });
        throw new InjectedSandboxCrash(point);
      },
    };
    runner = createInvocationRunner({ fn, context, deployment, userModule, ports });
  }

  process.on('message', (raw: HostMessage) => {
    switch (raw.type) {
      case 'portReply':
        ownCloud?.answer(raw.id, raw);
        return;
      case 'peers':
        setPeers?.(raw.peers);
        return;
      case 'init':
        try {
          if (raw.program !== 'jointflow')
            throw new Error(
              `LOCAL_WRONG_PROGRAM: a Jointflow bundle cannot run a ${raw.program} function`,
            );
          init(raw.cloud, raw.peers, raw.deployment, raw.fn, raw.context);
        } catch (error) {
          // A function the runtime refuses (e.g. a trigger) fails every invocation with why.
          const failure = toWorkerError(error);
          runner = () => Promise.reject(Object.assign(new Error(failure.message), failure));
        }
        send({ type: 'ready' });
        return;
      case 'invoke': {
        const run = runner;
        if (run === undefined || raw.program !== 'jointflow') {
          send({
            type: 'done',
            id: raw.id,
            ok: false,
            error: { message: 'worker not initialised' },
          });
          return;
        }
        const scope: InvocationScope = { id: raw.id, crashed: false };
        if (raw.crashAt !== undefined) scope.crashAt = raw.crashAt;
        invocationScope
          .run(scope, () => run(raw.invocation, raw.delivery))
          .then(
            async (result) => {
              if (scope.crashed) return;
              await trace.sink.flush();
              send({ type: 'done', id: raw.id, ok: true, result: result ?? null });
            },
            async (error: unknown) => {
              // A crashed sandbox answers nothing (the host already failed it).
              if (scope.crashed) return;
              await trace.sink.flush().catch(() => undefined);
              send({ type: 'done', id: raw.id, ok: false, error: toWorkerError(error) });
            },
          );
        return;
      }
    }
  });
  process.on('disconnect', () => process.exit(0));
}
