import http from 'node:http';
import { z } from 'zod';
import { announceReady } from '../childProcess';
import { listenLoopback, postJson, readJsonBody, sendJson } from '../httpJson';
import { baselineContext, loadHandler, MARK_STEP_CODE } from '../userCode';

/**
 * A plain worker process: a warm function container with no orchestration in it. It serves
 * - `POST /deploy {name, code}`: load step code;
 * - `POST /run/<name> {execution, instance, input}`: run it synchronously (RequestResponse),
 *   what the centralized coordinator calls;
 * - `POST /ack`: answer 202 and nothing else (the plain hop of the floor reference);
 * - `POST /chain {next, payload, reply}`: the floor. Acknowledge at once (an async invoke),
 *   run the no-op step, then invoke the next worker directly, or post the result to `reply`.
 */
const deployBody = z.object({ name: z.string(), code: z.string() });
const runBody = z.object({ execution: z.string(), instance: z.string(), input: z.unknown() });
const chainBody = z.object({ next: z.array(z.string()), payload: z.unknown(), reply: z.string() });

const handlers = new Map<string, Awaited<ReturnType<typeof loadHandler>>>();
handlers.set('mark', await loadHandler(MARK_STEP_CODE));

async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const body = await readJsonBody(req);
  if (url === '/deploy') {
    const spec = deployBody.parse(body);
    handlers.set(spec.name, await loadHandler(spec.code));
    sendJson(res, 200, { deployed: spec.name });
    return;
  }
  if (url.startsWith('/run/')) {
    const name = decodeURIComponent(url.slice('/run/'.length));
    const handler = handlers.get(name);
    if (!handler) {
      sendJson(res, 404, { code: 'BENCH_NO_SUCH_STEP', message: `deploy ${name} first` });
      return;
    }
    const call = runBody.parse(body);
    try {
      const started = performance.now();
      const output = await handler(call.input, baselineContext(call.execution, call.instance));
      sendJson(res, 200, { output, durationMs: performance.now() - started });
    } catch (error) {
      sendJson(res, 200, { error: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  if (url === '/ack') {
    sendJson(res, 202, null);
    return;
  }
  if (url === '/chain') {
    const hop = chainBody.parse(body);
    sendJson(res, 202, null);
    const mark = handlers.get('mark');
    if (!mark) throw new Error('mark step missing');
    const output = await mark(hop.payload, baselineContext('floor', 'chain'));
    const [next, ...rest] = hop.next;
    if (next === undefined) await postJson(hop.reply, output);
    else await postJson(`${next}/chain`, { next: rest, payload: output, reply: hop.reply });
    return;
  }
  sendJson(res, 404, { code: 'BENCH_NOT_FOUND', message: url });
}

const server = http.createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    if (!res.headersSent) sendJson(res, 500, { message: String(error) });
  });
});
server.keepAliveTimeout = 60_000;
const port = await listenLoopback(server);
announceReady({ port });
