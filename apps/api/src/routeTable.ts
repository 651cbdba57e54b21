import type { Handler, Hono } from 'hono';
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/**
 * One answer a route gives: JSON of a schema; no body; or a body no JSON schema describes (an
 * event stream, a stored output sent as its bytes).
 */
export type ResponseSpec =
  | { description: string; json: z.ZodType }
  | { description: string; empty: true }
  | { description: string; raw: 'text/event-stream' | 'application/json' };

/**
 * A route as declared: method, path, the schemas of what it reads and of what it answers. The
 * handler parses its inputs with these same schema objects, and the OpenAPI document is
 * generated from the declarations (`openapi.ts`), so the two cannot drift apart.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI path template: `{id}` for a path parameter. */
  path: string;
  summary: string;
  /** Who may call it: the API token (default), anyone, or a deployment's ingest secret. */
  auth?: 'token' | 'none' | 'ingest';
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** By status code. Errors (4xx/5xx, `{error:{code,message}}`) are added for every route. */
  responses: Record<number, ResponseSpec>;
}

/** `/api/v1/workflows/{id}` → Hono's `/api/v1/workflows/:id`. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * Registers routes on a Hono app and keeps their declarations for the OpenAPI document. Every
 * API route goes through `add`; `openapi.test.ts` checks that the app has no other.
 *
 * @example
 * routes.add({ method: 'get', path: '/api/v1/workflows/{id}', summary: 'Get a workflow',
 *   params: workflowParams, responses: { 200: { description: 'the workflow', json: workflowResponseSchema } } },
 *   async (c) => c.json(await load(readParams(c, workflowParams).id)));
 */
export class RouteTable {
  private readonly specs: RouteSpec[] = [];

  constructor(private readonly app: Hono) {}

  add(spec: RouteSpec, handler: Handler): void {
    this.specs.push(spec);
    this.app.on(spec.method.toUpperCase(), honoPath(spec.path), handler);
  }

  list(): readonly RouteSpec[] {
    return this.specs;
  }
}

/**
 * Throws unless every `/api/` route the app serves (middleware aside) was declared through
 * `table`, so none is missing from the OpenAPI document.
 */
export function assertRoutesDeclared(app: Hono, table: RouteTable): void {
  const declared = new Set(
    table.list().map((r) => `${r.method.toUpperCase()} ${honoPath(r.path)}`),
  );
  const undeclared = app.routes
    .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
    .map((r) => `${r.method} ${r.path}`)
    .filter((route) => !declared.has(route));
  if (undeclared.length > 0) {
    throw new Error(
      `routes registered outside the route table (missing from the OpenAPI document): ${[...new Set(undeclared)].join(', ')}; declare them with RouteTable.add`,
    );
  }
}
