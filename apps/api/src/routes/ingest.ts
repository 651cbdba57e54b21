import { type TraceEvent, traceEventSchema } from '@jointflow/runtime';
import { z } from 'zod';
import type { ApiContext } from '../apiContext';
import { ApiError } from '../apiError';
import { confirmOutcome } from '../executionService';
import { ingestResponseSchema } from '../responseSchemas';
import type { RouteTable } from '../routeTable';
import { ingestBody } from '../schemas';
import { readJsonBody } from '../validation';

const batchBody = z.object({ events: z.array(z.unknown()).max(10_000) });

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Trace batches from deployed functions. Each event is checked on its own: a malformed one or one
 * of another deployment is counted and skipped, never failing the batch (senders drop a batch on
 * a 4xx, which would lose the good events with it).
 */
export function ingestRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'post',
      path: '/api/v1/ingest',
      summary: 'Trace batches from deployed functions (each event checked on its own)',
      auth: 'ingest',
      body: ingestBody,
      responses: { 200: { description: 'what was kept and why not', json: ingestResponseSchema } },
    },
    async (c) => {
      const secret = bearer(c.req.header('authorization'));
      const deployment = secret === undefined ? undefined : ctx.secrets.verifyIngestSecret(secret);
      if (deployment === undefined) {
        throw new ApiError(
          'API_UNAUTHORIZED',
          'send the deployment ingest secret as Authorization: Bearer <secret> (from JF_TRACE_SECRET)',
        );
      }
      const body = await readJsonBody(c, batchBody);
      const valid: TraceEvent[] = [];
      let invalid = 0;
      let forbidden = 0;
      for (const raw of body.events) {
        const parsed = traceEventSchema.safeParse(raw);
        if (!parsed.success) invalid += 1;
        else if (parsed.data.deployment !== deployment) forbidden += 1;
        else valid.push(parsed.data);
      }
      const outcome = await ctx.repo.ingestEvents(valid);
      const touched = new Set(outcome.stored.map((s) => s.event.execution));
      for (const execution of touched) ctx.hub.wake(execution);
      for (const { event } of outcome.stored) {
        if (event.kind === 'execution.succeeded' || event.kind === 'execution.failed') {
          ctx.track(
            confirmOutcome(ctx, event.execution).catch((error: unknown) =>
              ctx.log(
                `execution ${event.execution}: result check failed: ${error instanceof Error ? error.message : String(error)}`,
              ),
            ),
          );
        }
      }
      return c.json({
        accepted: outcome.stored.length,
        duplicates: outcome.duplicates,
        unknown: outcome.unknown,
        invalid,
        forbidden,
      });
    },
  );
}
