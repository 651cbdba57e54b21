import { cloudProfileSchema } from '@jointflow/ir';
import { z } from 'zod';
import { loadToken } from './token';

/** An error the API answered with (`{error: {code, message}}`) or a transport failure. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }).loose(),
});

/** Lists may come bare or wrapped in `{items}`; both are accepted. */
function listOf<T extends z.ZodType>(item: T) {
  return z
    .union([z.array(item), z.object({ items: z.array(item) }).loose()])
    .transform((value) => (Array.isArray(value) ? value : value.items));
}

/** One page of a cursor-paged list: the items and the cursor of the next page (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A page of a list: `{items, nextCursor}`; a bare array is one page with nothing after it. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z
    .union([
      z.array(item),
      z.object({ items: z.array(item), nextCursor: z.string().nullable().optional() }).loose(),
    ])
    .transform(
      (value): Page<z.infer<T>> =>
        Array.isArray(value)
          ? { items: value, nextCursor: null }
          : { items: value.items, nextCursor: value.nextCursor ?? null },
    );
}

/** `?cursor=…` for the next page, or nothing for the first. */
export function cursorQuery(cursor: string | undefined, joiner: '?' | '&' = '?'): string {
  return cursor === undefined ? '' : `${joiner}cursor=${encodeURIComponent(cursor)}`;
}

export const workflowSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.union([z.string(), z.number()]).optional(),
    updatedAt: z.union([z.string(), z.number()]).optional(),
  })
  .loose();
export type WorkflowSummary = z.infer<typeof workflowSummarySchema>;

export const workflowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.union([z.string(), z.number()]).optional(),
    graph: z.unknown(),
  })
  .loose();
export type StoredWorkflow = z.infer<typeof workflowSchema>;

const savedSchema = z
  .object({ id: z.string(), version: z.union([z.string(), z.number()]).optional() })
  .loose();

export const cloudSchema = cloudProfileSchema.extend({ health: z.unknown().optional() }).loose();
export type Cloud = z.infer<typeof cloudSchema>;

export const functionStatusSchema = z
  .object({
    name: z.string(),
    cloud: z.string(),
    status: z.string(),
    reason: z.string().optional().nullable(),
  })
  .loose();
export type FunctionDeployStatus = z.infer<typeof functionStatusSchema>;

export const deploymentSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    functions: z.array(functionStatusSchema).default([]),
  })
  .loose();
export type Deployment = z.infer<typeof deploymentSchema>;

export const executionSummarySchema = z
  .object({
    id: z.string(),
    status: z.string(),
    startedAt: z.union([z.string(), z.number()]).optional().nullable(),
    deployment: z.string().optional().nullable(),
    deploymentId: z.string().optional().nullable(),
    workflowId: z.string().optional().nullable(),
  })
  .loose();
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;

export const executionSchema = executionSummarySchema.extend({
  input: z.unknown().optional(),
  result: z.unknown().optional(),
  error: z.unknown().optional(),
  makespanMs: z.number().optional().nullable(),
  costUsd: z.number().optional().nullable(),
});
export type Execution = z.infer<typeof executionSchema>;

export function authHeaders(): Record<string, string> {
  const token = loadToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** One API call: JSON in, the answer parsed with `schema`, errors as `ApiError`. */
export async function request<T extends z.ZodType>(
  method: string,
  path: string,
  schema: T,
  body?: unknown,
): Promise<z.infer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new ApiError(
      0,
      'WEB_API_UNREACHABLE',
      `the API did not answer (${String(cause)}); is \`jointflow up\` running?`,
    );
  }
  const text = await response.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    const parsed = errorBody.safeParse(json);
    if (parsed.success) {
      throw new ApiError(response.status, parsed.data.error.code, parsed.data.error.message, json);
    }
    throw new ApiError(
      response.status,
      `HTTP_${response.status}`,
      response.statusText || 'request failed',
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError(
      response.status,
      'WEB_UNEXPECTED_RESPONSE',
      `${method} ${path} answered in a shape the app does not understand: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

const anything = z.unknown();

/** The API, as the app uses it. Paths are relative to `/api/v1` on the same origin. */
export const api = {
  listWorkflows: () => request('GET', '/workflows', listOf(workflowSummarySchema)),
  /** One page of workflows (newest first); pass the previous page's `nextCursor` for the next. */
  listWorkflowsPage: (cursor?: string) =>
    request('GET', `/workflows${cursorQuery(cursor)}`, pageOf(workflowSummarySchema)),
  getWorkflow: (id: string) =>
    request('GET', `/workflows/${encodeURIComponent(id)}`, workflowSchema),
  createWorkflow: (name: string, graph: unknown) =>
    request('POST', '/workflows', savedSchema, { name, graph }),
  updateWorkflow: (id: string, name: string, graph: unknown) =>
    request('PUT', `/workflows/${encodeURIComponent(id)}`, savedSchema, { name, graph }),
  deleteWorkflow: (id: string) =>
    request('DELETE', `/workflows/${encodeURIComponent(id)}`, anything),
  listClouds: () => request('GET', '/clouds', listOf(cloudSchema)),
  deploy: (workflowId: string, version?: string | number, placement?: Record<string, string>) =>
    request('POST', `/workflows/${encodeURIComponent(workflowId)}/deployments`, savedSchema, {
      ...(version === undefined ? {} : { version }),
      ...(placement === undefined ? {} : { placement }),
    }),
  getDeployment: (id: string) =>
    request('GET', `/deployments/${encodeURIComponent(id)}`, deploymentSchema),
  startExecution: (deploymentId: string, input: unknown) =>
    request('POST', `/deployments/${encodeURIComponent(deploymentId)}/executions`, savedSchema, {
      input,
    }),
  listExecutions: (workflowId?: string) =>
    request(
      'GET',
      workflowId ? `/executions?workflow=${encodeURIComponent(workflowId)}` : '/executions',
      listOf(executionSummarySchema),
    ),
  getExecution: (id: string) =>
    request('GET', `/executions/${encodeURIComponent(id)}`, executionSchema),
};
