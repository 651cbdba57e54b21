import { graphSchema, workflowIRSchema } from '@jointflow/ir';
import { traceEventSchema } from '@jointflow/runtime/messages';
import { z } from 'zod';
import { errorResponseSchema } from './responseSchemas';
import type { ResponseSpec, RouteSpec } from './routeTable';

type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

/**
 * Named schemas, converted once into `components.schemas` and referenced from the operations:
 * the graph, the IR and the trace event appear once, not in every body and answer that holds
 * them. One set per direction, since a schema reads differently as input (defaults optional)
 * and as output.
 */
class Components {
  readonly registry = z.registry<{ id: string }>();
  private readonly ids = new Set<string>();

  constructor(
    private readonly io: 'input' | 'output',
    shared: Record<string, z.ZodType>,
  ) {
    for (const [id, schema] of Object.entries(shared)) this.idOf(schema, id);
  }

  /** The component id of `schema`, registering it under `name` the first time it is seen. */
  idOf(schema: z.ZodType, name: string): string {
    const known = this.registry.get(schema)?.id;
    if (known !== undefined) return known;
    let id = name;
    for (let n = 2; this.ids.has(id); n++) id = `${name}${n}`;
    this.ids.add(id);
    this.registry.add(schema, { id });
    return id;
  }

  ref(schema: z.ZodType, name: string): JsonSchema {
    return { $ref: `${COMPONENTS}${this.idOf(schema, name)}` };
  }

  /** Every registered schema as JSON Schema (draft 2020-12, what OpenAPI 3.1 uses). */
  schemas(): Record<string, JsonSchema> {
    const { schemas } = z.toJSONSchema(this.registry, {
      io: this.io,
      unrepresentable: 'any',
      uri: (id) => `${COMPONENTS}${id}`,
    });
    const out: Record<string, JsonSchema> = {};
    for (const [id, schema] of Object.entries(schemas)) {
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
      out[id] = rest;
    }
    return out;
  }
}

/** A zod schema as inline JSON Schema (parameters are small). */
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

/** `post /api/v1/workflows/{id}/deployments` → `PostWorkflowsIdDeployments`. */
function operationName(route: RouteSpec): string {
  const words = [route.method, ...route.path.replace('/api/v1/', '').split(/[^A-Za-z0-9]+/)];
  return words
    .filter((w) => w !== '')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function response(spec: ResponseSpec, name: string, outputs: Components): JsonSchema {
  if ('json' in spec) {
    return {
      description: spec.description,
      content: { 'application/json': { schema: outputs.ref(spec.json, name) } },
    };
  }
  if ('raw' in spec) {
    return { description: spec.description, content: { [spec.raw]: {} } };
  }
  return { description: spec.description };
}

/**
 * The OpenAPI 3.1 document served at `/api/v1/openapi.json`, generated from the routes'
 * declarations: parameters, request bodies and every response's schema.
 */
export function openApiDocument(routes: readonly RouteSpec[]): JsonSchema {
  const inputs = new Components('input', {
    GraphInput: graphSchema,
    TraceEventInput: traceEventSchema,
  });
  const outputs = new Components('output', {
    Graph: graphSchema,
    WorkflowIR: workflowIRSchema,
    TraceEvent: traceEventSchema,
    Error: errorResponseSchema,
  });
  const errorContent = {
    content: { 'application/json': { schema: outputs.ref(errorResponseSchema, 'Error') } },
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const name = operationName(route);
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = response(spec, `${name}${status}`, outputs);
    }
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
        content: { 'application/json': { schema: inputs.ref(route.body, `${name}Body`) } },
      };
    }
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Jointflow API', version: '0.1.0' },
    components: {
      schemas: { ...inputs.schemas(), ...outputs.schemas() },
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
