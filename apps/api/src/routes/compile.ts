import type { Hono } from 'hono';
import type { ApiContext } from '../apiContext';
import { readJsonText } from '../validation';

/**
 * Compile, plan and estimate: the body's text goes to the compile pool, which parses, validates,
 * compiles and serializes in a worker thread and answers the response's JSON text.
 */
export function compileRoutes(app: Hono, ctx: ApiContext): void {
  for (const route of ['compile', 'plan', 'estimate'] as const) {
    app.post(`/api/v1/${route}`, async (c) => {
      const body = await readJsonText(c);
      const json = await ctx.compiler.run({ op: 'request', route, body });
      return c.body(json, 200, { 'content-type': 'application/json; charset=utf-8' });
    });
  }
}
