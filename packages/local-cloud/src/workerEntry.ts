import type { FunctionContext, FunctionIR } from '@jointflow/ir';
import type { RuntimePorts, TraceEvent, TraceSink } from '@jointflow/runtime';
import { createHttpBlobs, createHttpInvoker, createHttpStore } from '@jointflow/shims';
import { createInvocationRunner, type InvocationRunner } from './functionProgram';
import type { HostMessage, WorkerError, WorkerMessage } from './workerProtocol';

/**
 * The program inside every worker process (bundled with the user's code, see bundler.ts). It
 * builds real runtime ports — HTTP clients to each cloud's store and invoke API, a trace sink that
 * hands batches to the host over IPC — and runs one invocation at a time.
 */

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function toWorkerError(error: unknown): WorkerError {
  if (error instanceof Error) {
    const out: WorkerError = { message: error.message };
    if (error.stack !== undefined) out.stack = error.stack;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') out.code = code;
    return out;
  }
  return { message: String(error) };
}

/** Events go to the host, which stores them durably before acknowledging the flush. */
function createIpcTraceSink(): { sink: TraceSink; onAck(flushId: number): void } {
  let buffer: TraceEvent[] = [];
  let nextFlush = 1;
  const waiting = new Map<number, () => void>();
  return {
    sink: {
      emit(event) {
        buffer.push(event);
      },
      flush() {
        if (buffer.length === 0) return Promise.resolve();
        const events = buffer;
        buffer = [];
        const flushId = nextFlush++;
        return new Promise<void>((resolve) => {
          waiting.set(flushId, resolve);
          send({ type: 'trace', flushId, events });
        });
      },
    },
    onAck(flushId) {
      waiting.get(flushId)?.();
      waiting.delete(flushId);
    },
  };
}

export function startWorker(userModule: Record<string, unknown>): void {
  let runner: InvocationRunner | undefined;
  let ports: RuntimePorts | undefined;
  let crashAt: string | undefined;
  const trace = createIpcTraceSink();

  function init(
    cloud: string,
    peers: Record<string, string>,
    deployment: string,
    fn: FunctionIR,
    context: FunctionContext,
  ) {
    const stores = new Map<string, ReturnType<typeof createHttpStore>>();
    const blobs = new Map<string, ReturnType<typeof createHttpBlobs>>();
    const urlOf = (target: string): string => {
      const url = peers[target];
      if (url === undefined) throw new Error(`LOCAL_UNKNOWN_CLOUD: no local cloud "${target}"`);
      return url;
    };
    ports = {
      cloud,
      store(target) {
        let store = stores.get(target);
        if (store === undefined) {
          store = createHttpStore(urlOf(target), cloud);
          stores.set(target, store);
        }
        return store;
      },
      blobs(target) {
        let store = blobs.get(target);
        if (store === undefined) {
          store = createHttpBlobs(urlOf(target), cloud);
          blobs.set(target, store);
        }
        return store;
      },
      invoker: createHttpInvoker(peers, cloud),
      trace: trace.sink,
      now: () => Date.now(),
      faultPoint(point) {
        if (crashAt === point) process.exit(97);
      },
    };
    runner = createInvocationRunner({ fn, context, deployment, userModule, ports });
  }

  process.on('message', (raw: HostMessage) => {
    switch (raw.type) {
      case 'init':
        try {
          init(raw.cloud, raw.peers, raw.deployment, raw.fn, raw.context);
        } catch (error) {
          // A function the runtime refuses (e.g. a trigger) fails every invocation with why.
          const failure = toWorkerError(error);
          runner = () => Promise.reject(Object.assign(new Error(failure.message), failure));
        }
        send({ type: 'ready' });
        return;
      case 'trace-ack':
        trace.onAck(raw.flushId);
        return;
      case 'invoke': {
        const run = runner;
        if (run === undefined) {
          send({
            type: 'done',
            id: raw.id,
            ok: false,
            error: { message: 'worker not initialised' },
          });
          return;
        }
        crashAt = raw.crashAt;
        run(raw.invocation, raw.delivery).then(
          async (result) => {
            await trace.sink.flush();
            send({ type: 'done', id: raw.id, ok: true, result: result ?? null });
          },
          async (error: unknown) => {
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
