import type { Hono } from 'hono';
import type { ApiContext } from '../apiContext';
import { compileBody, estimateBody, planBody } from '../schemas';
import { compileGraph, estimateGraph, planGraph } from '../toolchain';
import { readJsonBody } from '../validation';

export function compileRoutes(app: Hono, ctx: ApiContext): void {
  app.post('/api/v1/compile', async (c) => {
    const body = await readJsonBody(c, compileBody);
    return c.json(compileGraph(ctx, body.graph, body.placement));
  });

  app.post('/api/v1/plan', async (c) => {
    const body = await readJsonBody(c, planBody);
    return c.json(planGraph(ctx, body.graph, body.objective));
  });

  app.post('/api/v1/estimate', async (c) => {
    const body = await readJsonBody(c, estimateBody);
    return c.json(estimateGraph(ctx, body));
  });
}
