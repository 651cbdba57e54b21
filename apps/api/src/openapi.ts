import { z } from 'zod';
import {
  compileBody,
  createDeploymentBody,
  createWorkflowBody,
  estimateBody,
  faultsBody,
  ingestBody,
  planBody,
  startExecutionBody,
  updateWorkflowBody,
} from './schemas';

interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodType;
  status: number;
  auth?: 'none' | 'ingest';
}

const operations: Operation[] = [
  { method: 'get', path: '/api/v1/health', summary: 'Liveness', status: 200, auth: 'none' },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This document',
    status: 200,
    auth: 'none',
  },
  {
    method: 'post',
    path: '/api/v1/workflows',
    summary: 'Create a workflow',
    body: createWorkflowBody,
    status: 201,
  },
  {
    method: 'get',
    path: '/api/v1/workflows',
    summary: 'List workflows (cursor, limit)',
    status: 200,
  },
  {
    method: 'get',
    path: '/api/v1/workflows/{id}',
    summary: 'Get a workflow (latest version)',
    status: 200,
  },
  {
    method: 'put',
    path: '/api/v1/workflows/{id}',
    summary: 'Store a new version',
    body: updateWorkflowBody,
    status: 200,
  },
  { method: 'delete', path: '/api/v1/workflows/{id}', summary: 'Delete a workflow', status: 204 },
  { method: 'get', path: '/api/v1/workflows/{id}/versions', summary: 'List versions', status: 200 },
  {
    method: 'get',
    path: '/api/v1/workflows/{id}/versions/{version}',
    summary: 'Get one version',
    status: 200,
  },
  {
    method: 'post',
    path: '/api/v1/compile',
    summary: 'Compile a graph to IR',
    body: compileBody,
    status: 200,
  },
  {
    method: 'post',
    path: '/api/v1/plan',
    summary: 'Place auto nodes and estimate',
    body: planBody,
    status: 200,
  },
  {
    method: 'post',
    path: '/api/v1/estimate',
    summary: 'Estimate makespan and cost',
    body: estimateBody,
    status: 200,
  },
  {
    method: 'post',
    path: '/api/v1/workflows/{id}/deployments',
    summary: 'Deploy a version',
    body: createDeploymentBody,
    status: 202,
  },
  {
    method: 'get',
    path: '/api/v1/workflows/{id}/deployments',
    summary: 'List deployments',
    status: 200,
  },
  {
    method: 'get',
    path: '/api/v1/deployments/{id}',
    summary: 'Deployment status per function and cloud',
    status: 200,
  },
  {
    method: 'post',
    path: '/api/v1/deployments/{id}/executions',
    summary: 'Start an execution',
    body: startExecutionBody,
    status: 202,
  },
  {
    method: 'get',
    path: '/api/v1/executions',
    summary: 'List executions (workflow, deployment, status, cursor, limit)',
    status: 200,
  },
  {
    method: 'get',
    path: '/api/v1/executions/{id}',
    summary: 'Execution with per-instance summary',
    status: 200,
  },
  {
    method: 'post',
    path: '/api/v1/executions/{id}/redrive',
    summary: 'Redrive from checkpoints',
    status: 202,
  },
  {
    method: 'get',
    path: '/api/v1/executions/{id}/output',
    summary: "One instance's full committed output (query instance, download=1), blobs included",
    status: 200,
  },
  {
    method: 'post',
    path: '/api/v1/executions/{id}/cancel',
    summary: 'Cancel a running execution (no step starts another; final status cancelled)',
    status: 202,
  },
  {
    method: 'get',
    path: '/api/v1/executions/{id}/events',
    summary: 'Trace events as Server-Sent Events (Last-Event-ID)',
    status: 200,
  },
  { method: 'get', path: '/api/v1/clouds', summary: 'Cloud profiles and health', status: 200 },
  {
    method: 'post',
    path: '/api/v1/clouds/{id}/faults',
    summary: 'Inject faults (local clouds)',
    body: faultsBody,
    status: 204,
  },
  {
    method: 'post',
    path: '/api/v1/ingest',
    summary: 'Trace batches from deployed functions',
    body: ingestBody,
    status: 200,
    auth: 'ingest',
  },
];

function jsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return {};
  }
}

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

/** The OpenAPI 3.1 document served at `/api/v1/openapi.json`, built from the request schemas. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const entry: Record<string, unknown> = {
      summary: op.summary,
      parameters,
      responses: {
        [String(op.status)]: { description: 'success' },
        '4XX': {
          description: 'client mistake',
          content: { 'application/json': { schema: errorSchema } },
        },
      },
      security:
        op.auth === 'none' ? [] : op.auth === 'ingest' ? [{ ingestSecret: [] }] : [{ token: [] }],
    };
    if (op.body !== undefined) {
      entry.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(op.body) } },
      };
    }
    paths[op.path] = { ...(paths[op.path] ?? {}), [op.method]: entry };
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
