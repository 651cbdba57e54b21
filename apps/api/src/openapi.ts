import { z } from 'zod';
import { errorResponseSchema } from './responseSchemas';
import type { ResponseSpec, RouteSpec } from './routeTable';

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema (draft 2020-12, what OpenAPI 3.1 uses), inline. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

/** Path, query or header parameters from an object schema, one per property. */
function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query' | 'header') {
  if (schema === undefined) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
  }));
}

function response(spec: ResponseSpec): JsonSchema {
  if ('json' in spec) {
    return {
      description: spec.description,
      content: { 'application/json': { schema: jsonSchema(spec.json, 'output') } },
    };
  }
  if ('raw' in spec) {
    return { description: spec.description, content: { [spec.raw]: {} } };
  }
  return { description: spec.description };
}

const errorContent = {
  content: { 'application/json': { schema: jsonSchema(errorResponseSchema, 'output') } },
};

/**
 * The OpenAPI 3.1 document served at `/api/v1/openapi.json`, generated from the routes'
 * declarations: parameters, request bodies and every response's schema.
 */
export function openApiDocument(routes: readonly RouteSpec[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses))
      responses[status] = response(spec);
    responses['4XX'] = { description: 'a client mistake (see the error code)', ...errorContent };
    responses['5XX'] = { description: 'a server or cloud failure', ...errorContent };
    const operation: Record<string, unknown> = {
      summary: route.summary,
      parameters: [
        ...parameters(route.params, 'path'),
        ...parameters(route.query, 'query'),
        ...parameters(route.headers, 'header'),
      ],
      responses,
      security:
        route.auth === 'none'
          ? []
          : route.auth === 'ingest'
            ? [{ ingestSecret: [] }]
            : [{ token: [] }],
    };
    if (route.body !== undefined) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      };
    }
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Jointflow API', version: '0.1.0' },
    components: {
      securitySchemes: {
        token: {
          type: 'http',
          scheme: 'bearer',
          description: 'the token in $JOINTFLOW_HOME/token',
        },
        ingestSecret: { type: 'http', scheme: 'bearer', description: 'a deployment ingest secret' },
      },
    },
    paths,
  };
}
