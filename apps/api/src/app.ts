import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { ApiContext } from './apiContext';
import { ApiError } from './apiError';
import { openApiDocument } from './openapi';
import { healthResponseSchema, openApiResponseSchema } from './responseSchemas';
import { cloudRoutes } from './routes/clouds';
import { compileRoutes } from './routes/compile';
import { deploymentRoutes } from './routes/deployments';
import { eventRoutes } from './routes/events';
import { executionRoutes } from './routes/executions';
import { ingestRoutes } from './routes/ingest';
import { workflowRoutes } from './routes/workflows';
import { assertRoutesDeclared, RouteTable } from './routeTable';
import { CursorError } from './store/sqlRepository';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const INGEST_BODY_LIMIT = 4 * 1024 * 1024;

export interface AppOptions {
  /** Origins allowed by CORS (the web app's). Same-origin requests need none. */
  corsOrigins: readonly string[];
  bodyLimitBytes?: number;
}

function errorResponse(error: ApiError): Response {
  return new Response(JSON.stringify(error.toBody()), {
    status: error.status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/** The Hono app: middleware (CORS, body limits, token), routes and the error mapping. */
export function createApp(ctx: ApiContext, options: AppOptions): Hono {
  const app = new Hono();
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;

  // JOINTFLOW_LOG_LEVEL=debug: one record per request with its path (never the query string,
  // the headers or the body), status and time; an event stream when its response starts.
  if (ctx.log.enabled('debug')) {
    app.use('*', async (c, next) => {
      const started = performance.now();
      await next();
      ctx.log.debug('request', {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    });
  }

  app.use(
    '/api/*',
    cors({
      origin: (origin) => (options.corsOrigins.includes(origin) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      maxAge: 600,
    }),
  );

  const tooLarge = (max: number) =>
    bodyLimit({
      maxSize: max,
      onError: () => {
        throw new ApiError(
          'API_BODY_TOO_LARGE',
          `the body is larger than ${max} bytes; send a smaller one (store large data in the graph's sample input sparingly)`,
        );
      },
    });
  const smallBodies = tooLarge(limit);
  const ingestBodies = tooLarge(Math.max(limit, INGEST_BODY_LIMIT));
  app.use('/api/*', (c, next) =>
    c.req.path === '/api/v1/ingest' ? ingestBodies(c, next) : smallBodies(c, next),
  );

  app.use('/api/*', async (c, next) => {
    const path = c.req.path;
    if (path === '/api/v1/health' || path === '/api/v1/openapi.json' || path === '/api/v1/ingest') {
      return next();
    }
    // Headers only: a token in a URL ends up in logs, history and Referer headers. The web app
    // reads the event stream with fetch, which sends the header (EventSource cannot).
    const candidate = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (candidate === undefined || !ctx.secrets.checkToken(candidate)) {
      throw new ApiError(
        'API_UNAUTHORIZED',
        'send the API token as Authorization: Bearer <token> (jointflow up prints it; it is in $JOINTFLOW_HOME/token)',
      );
    }
    return next();
  });

  // Health of the API and of every cloud it deploys to: `degraded` names the clouds that do not
  // answer (a local cloud's process died; a real cloud's endpoint is unreachable).
  const routes = new RouteTable(app);
  routes.add(
    {
      method: 'get',
      path: '/api/v1/health',
      summary: 'Health of the API and of every cloud it deploys to',
      auth: 'none',
      responses: {
        200: {
          description: 'up (degraded names clouds not answering)',
          json: healthResponseSchema,
        },
      },
    },
    async (c) => {
      const clouds = await Promise.all(
        [...ctx.clouds].map(async ([id, shim]) => {
          const health = await Promise.race([
            shim.health().then(
              (h) => (h.ok ? undefined : (h.detail ?? 'not healthy')),
              (error: unknown) => (error instanceof Error ? error.message : String(error)),
            ),
            new Promise<string>((resolve) => setTimeout(() => resolve('no answer in 2 s'), 2_000)),
          ]);
          return {
            id,
            ok: health === undefined,
            ...(health === undefined ? {} : { error: health }),
          };
        }),
      );
      const down = clouds.filter((cl) => !cl.ok).map((cl) => cl.id);
      return c.json({
        ok: true,
        status: down.length === 0 ? 'ok' : 'degraded',
        ...(down.length === 0 ? {} : { degraded: down }),
        version: '0.1.0',
        storage: ctx.repo.kind,
        clouds: [...ctx.clouds.keys()],
        cloudHealth: clouds,
      });
    },
  );
  // Generated once every route is declared (below), from their schemas.
  let openapi: Record<string, unknown> = {};
  routes.add(
    {
      method: 'get',
      path: '/api/v1/openapi.json',
      summary: 'This document',
      auth: 'none',
      responses: { 200: { description: 'OpenAPI 3.1', json: openApiResponseSchema } },
    },
    (c) => c.json(openapi),
  );

  workflowRoutes(routes, ctx);
  compileRoutes(routes, ctx);
  deploymentRoutes(routes, ctx);
  executionRoutes(routes, ctx);
  eventRoutes(routes, ctx);
  cloudRoutes(routes, ctx);
  ingestRoutes(routes, ctx);
  openapi = openApiDocument(routes.list());
  assertRoutesDeclared(app, routes);

  app.all('/api/*', (c) => {
    throw new ApiError(
      'API_NOT_FOUND',
      `no endpoint ${c.req.method} ${c.req.path}; see /api/v1/openapi.json`,
    );
  });

  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(error);
    if (error instanceof CursorError) {
      return errorResponse(
        new ApiError('API_VALIDATION', `invalid query: cursor: ${error.message}`),
      );
    }
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(
        new ApiError(
          error.status === 413 ? 'API_BODY_TOO_LARGE' : 'API_VALIDATION',
          error.message || 'the request could not be read',
        ),
      );
    }
    // Only the error's own text: bodies and headers (which may hold secrets) are never logged.
    ctx.log.error('internal error', {
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? error : String(error),
    });
    return errorResponse(
      new ApiError('API_INTERNAL', 'the server failed on this request; it was logged, try again'),
    );
  });

  return app;
}
