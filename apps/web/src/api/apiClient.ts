import {
  pageOf as apiPageOf,
  cloudSchema,
  deploymentCreatedSchema,
  deploymentResponseSchema,
  errorResponseSchema,
  executionStartedSchema,
  executionSummarySchema,
  executionViewSchema,
  healthResponseSchema,
  workflowResponseSchema,
  workflowSummarySchema,
  workflowVersionRefSchema,
} from '@jointflow/api/schemas';
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

/**
 * The answers' schemas are the API's own (`@jointflow/api/schemas`, browser-safe): the app parses
 * every answer with the schema the server declares for it, so the two cannot drift apart.
 */

/** One page of a cursor-paged list: the items and the cursor of the next page (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A page of a list, `{items, nextCursor}`, as every list route answers. */
export function pageOf<T extends z.ZodType>(item: T) {
  return apiPageOf(item);
}

/** The items of a list route's answer (the first page). */
function listOf<T extends z.ZodType>(item: T) {
  return apiPageOf(item).transform((page) => page.items);
}

/** `?cursor=…` for the next page, or nothing for the first. */
export function cursorQuery(cursor: string | undefined, joiner: '?' | '&' = '?'): string {
  return cursor === undefined ? '' : `${joiner}cursor=${encodeURIComponent(cursor)}`;
}

export { workflowSummarySchema };
export type WorkflowSummary = z.infer<typeof workflowSummarySchema>;

/**
 * A stored workflow. Its graph is read as plain JSON here: the designer checks it itself
 * (`graphSchema` and the compiler's diagnostics), so a graph an older version stored still opens.
 */
export const workflowSchema = workflowResponseSchema.extend({ graph: z.unknown() });
export type StoredWorkflow = z.infer<typeof workflowSchema>;

export { cloudSchema };
export type Cloud = z.infer<typeof cloudSchema>;

export const functionStatusSchema = deploymentResponseSchema.shape.functions.element;
export type FunctionDeployStatus = z.infer<typeof functionStatusSchema>;

export const deploymentSchema = deploymentResponseSchema;
export type Deployment = z.infer<typeof deploymentSchema>;

export { executionSummarySchema };
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;

export const executionSchema = executionViewSchema;
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
    const parsed = errorResponseSchema.safeParse(json);
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

/** A 204 answer: no body (read as null). */
const noContent = z.null();

/** The API, as the app uses it. Paths are relative to `/api/v1` on the same origin. */
export const api = {
  /** The API's health, with each cloud's (`degraded` names the clouds that do not answer). */
  health: () => request('GET', '/health', healthResponseSchema),
  listWorkflows: () => request('GET', '/workflows', listOf(workflowSummarySchema)),
  /** One page of workflows (newest first); pass the previous page's `nextCursor` for the next. */
  listWorkflowsPage: (cursor?: string) =>
    request('GET', `/workflows${cursorQuery(cursor)}`, pageOf(workflowSummarySchema)),
  getWorkflow: (id: string) =>
    request('GET', `/workflows/${encodeURIComponent(id)}`, workflowSchema),
  createWorkflow: (name: string, graph: unknown) =>
    request('POST', '/workflows', workflowVersionRefSchema, { name, graph }),
  updateWorkflow: (id: string, name: string, graph: unknown) =>
    request('PUT', `/workflows/${encodeURIComponent(id)}`, workflowVersionRefSchema, {
      name,
      graph,
    }),
  deleteWorkflow: (id: string) =>
    request('DELETE', `/workflows/${encodeURIComponent(id)}`, noContent),
  listClouds: () => request('GET', '/clouds', listOf(cloudSchema)),
  deploy: (workflowId: string, version?: string | number, placement?: Record<string, string>) =>
    request(
      'POST',
      `/workflows/${encodeURIComponent(workflowId)}/deployments`,
      deploymentCreatedSchema,
      {
        ...(version === undefined ? {} : { version }),
        ...(placement === undefined ? {} : { placement }),
      },
    ),
  getDeployment: (id: string) =>
    request('GET', `/deployments/${encodeURIComponent(id)}`, deploymentSchema),
  startExecution: (deploymentId: string, input: unknown) =>
    request(
      'POST',
      `/deployments/${encodeURIComponent(deploymentId)}/executions`,
      executionStartedSchema,
      {
        input,
      },
    ),
  listExecutions: (workflowId?: string) =>
    request(
      'GET',
      workflowId ? `/executions?workflow=${encodeURIComponent(workflowId)}` : '/executions',
      listOf(executionSummarySchema),
    ),
  getExecution: (id: string) =>
    request('GET', `/executions/${encodeURIComponent(id)}`, executionSchema),
};
