import { streamSSE } from 'hono/streaming';
import type { ApiContext } from '../apiContext';
import { notFound } from '../apiError';
import type { RouteTable } from '../routeTable';
import {
  eventsHeaders,
  eventsQuery,
  executionParams,
  lastEventIdHeader,
  parseWithDefault,
} from '../schemas';
import { readParams, readQuery } from '../validation';

const PAGE = 500;
const KEEP_ALIVE_MS = 15_000;
/** Without a wake-up, re-check the store this often (another API process may have ingested). */
const POLL_MS = 2_000;
/** Events of the last invocation (billing) may trail the terminal event by a few ms. */
const END_GRACE_MS = 250;

export function eventRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'get',
      path: '/api/v1/executions/{id}/events',
      summary:
        'Trace events as Server-Sent Events: stored history, then live (Last-Event-ID resumes)',
      params: executionParams,
      query: eventsQuery,
      headers: eventsHeaders,
      responses: {
        200: {
          description:
            'messages `trace` (a trace event with its `seq`, the SSE id) and a final `end`',
          raw: 'text/event-stream',
        },
      },
    },
    async (c) => {
      const { id } = readParams(c, executionParams);
      const query = readQuery(c, eventsQuery);
      const execution = await ctx.repo.getExecution(id);
      if (execution === undefined) throw notFound('execution', id);
      const header = c.req.header('last-event-id');
      let after = parseWithDefault(lastEventIdHeader, header, query.lastEventId ?? 0);

      return streamSSE(c, async (stream) => {
        let aborted = false;
        let pending = false;
        let wakeUp: (() => void) | undefined;
        const wake = () => {
          pending = true;
          wakeUp?.();
        };
        const unsubscribe = ctx.hub.subscribe(id, wake);
        stream.onAbort(() => {
          aborted = true;
          wakeUp?.();
        });
        const keepAlive = setInterval(() => {
          void stream.write(': keep-alive\n\n').catch(() => {});
        }, KEEP_ALIVE_MS);
        let graced = false;
        try {
          while (!aborted && !ctx.isClosing()) {
            pending = false;
            for (;;) {
              const batch = await ctx.repo.listEvents(id, after, PAGE);
              for (const { seq, event } of batch) {
                await stream.writeSSE({
                  id: String(seq),
                  event: 'trace',
                  data: JSON.stringify({ ...event, seq }),
                });
                after = seq;
              }
              if (batch.length < PAGE || aborted) break;
            }
            const current = await ctx.repo.getExecution(id);
            if (current === undefined) break;
            if (current.status !== 'running' && current.lastSeq <= after) {
              if (!graced && Date.now() - (current.finishedAt ?? 0) < END_GRACE_MS) {
                graced = true;
                await new Promise((resolve) => setTimeout(resolve, END_GRACE_MS));
                continue;
              }
              await stream.writeSSE({
                event: 'end',
                data: JSON.stringify({
                  status: current.status,
                  // Not `after`: a Last-Event-ID past the end is not echoed back.
                  lastSeq: Math.min(after, current.lastSeq),
                  ...(current.result !== undefined ? { result: current.result } : {}),
                  ...(current.error !== undefined ? { error: current.error } : {}),
                }),
              });
              break;
            }
            if (!pending) {
              await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, POLL_MS);
                wakeUp = () => {
                  clearTimeout(timer);
                  resolve();
                };
              });
              wakeUp = undefined;
            }
          }
        } finally {
          clearInterval(keepAlive);
          unsubscribe();
        }
      });
    },
  );
}
