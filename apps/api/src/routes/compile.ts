import type { z } from 'zod';
import type { ApiContext } from '../apiContext';
import {
  compileResponseSchema,
  estimateResponseSchema,
  planResponseSchema,
} from '../responseSchemas';
import type { RouteTable } from '../routeTable';
import { compileBody, estimateBody, planBody } from '../schemas';
import { readJsonText } from '../validation';

const compileRouteSpecs: Record<
  'compile' | 'plan' | 'estimate',
  { summary: string; body: z.ZodType; answer: z.ZodType }
> = {
  compile: { summary: 'Compile a graph to IR', body: compileBody, answer: compileResponseSchema },
  plan: {
    summary: "Place the graph's auto nodes with the planner, compile and estimate",
    body: planBody,
    answer: planResponseSchema,
  },
  estimate: {
    summary: 'Estimate makespan and cost of the graph as placed',
    body: estimateBody,
    answer: estimateResponseSchema,
  },
};

/**
 * Compile, plan and estimate: the body's text goes to the compile pool, which parses (with the
 * same body schemas, see compileJob.ts), validates, compiles and serializes in a worker thread
 * and answers the response's JSON text.
 */
export function compileRoutes(routes: RouteTable, ctx: ApiContext): void {
  for (const route of ['compile', 'plan', 'estimate'] as const) {
    const spec = compileRouteSpecs[route];
    routes.add(
      {
        method: 'post',
        path: `/api/v1/${route}`,
        summary: spec.summary,
        body: spec.body,
        responses: { 200: { description: 'the answer, with diagnostics', json: spec.answer } },
      },
      async (c) => {
        const body = await readJsonText(c);
        const json = await ctx.compiler.run({ op: 'request', route, body });
        return c.body(json, 200, { 'content-type': 'application/json; charset=utf-8' });
      },
    );
  }
}
