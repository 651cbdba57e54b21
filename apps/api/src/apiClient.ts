import { createParser } from 'eventsource-parser';
import type { z } from 'zod';
import {
  cloudListSchema,
  compileResponseSchema,
  deploymentCreatedSchema,
  deploymentListSchema,
  deploymentResponseSchema,
  errorResponseSchema,
  estimateResponseSchema,
  executionCancelledSchema,
  executionListSchema,
  executionStartedSchema,
  executionViewSchema,
  fanOutCountsSchema,
  pageOf,
  planResponseSchema,
  sseEndDataSchema,
  sseTraceDataSchema,
  workflowResponseSchema,
  workflowVersionListSchema,
  workflowVersionRefSchema,
  workflowVersionResponseSchema,
} from './responseSchemas';
import { workflowSummarySchema } from './store/records';
import { describeZodError } from './validation';

/**
 * What progress reporting reads of a deployment while it rolls out: each function's status and
 * the provider's own state word (Lambda's Pending, Active…). The parsed `GET /api/v1/deployments/:id`
 * answer (`DeploymentRecord`) is one.
 */
export interface DeploymentState {
  status: string;
  functions: {
    name: string;
    cloud: string;
    status: string;
    reason?: string;
    providerState?: string;
  }[];
}
export type Deployment = z.infer<typeof deploymentResponseSchema>;
/** An execution as `GET /api/v1/executions/:id` answers, with its per-instance summary. */
export type ExecutionView = z.infer<typeof executionViewSchema>;
/** One `trace` message of the event stream: a trace event and its sequence number. */
export type StreamedTraceEvent = z.infer<typeof sseTraceDataSchema>;

/**
 * A small client for this API over `fetch`, used by the CLI (`deploy`, `run --api`, `trace`) and
 * by the tests. Answers are returned as parsed JSON; errors throw `ApiClientError` with the
 * server's code and message.
 */
export class ApiClientError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Reads a `text/event-stream` body message by message (parsed by `eventsource-parser`) until it
 * ends or `onMessage` returns false.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onMessage: (message: SseMessage) => boolean | undefined | Promise<boolean | undefined>,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let parsed: SseMessage[] = [];
  const parser = createParser({
    onEvent: ({ id, event, data }) => {
      parsed.push({ event: event ?? 'message', data, ...(id !== undefined ? { id } : {}) });
    },
  });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
      const messages = parsed;
      parsed = [];
      for (const message of messages) if ((await onMessage(message)) === false) return;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

export interface FollowOptions {
  lastEventId?: number;
  onEvent(event: StreamedTraceEvent): void;
  signal?: AbortSignal;
  /** Failed reconnects in a row before giving up (default 20). */
  reconnects?: number;
}

/** The stream's `end` message: how the execution ended. */
export type EndOfStream = z.infer<typeof sseEndDataSchema>;

/** Parses an answer with its schema; a mismatch means the server is another version. */
function answerOf<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ApiClientError(
      0,
      'API_BAD_RESPONSE',
      `${what}: the answer does not match this client's schema (${describeZodError(parsed.error)}); is the server another version?`,
    );
  }
  return parsed.data;
}

/** The server's error code, message and details from an error body, whatever it holds. */
function errorOf(status: number, text: string): ApiClientError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = errorResponseSchema.safeParse(value);
  if (!parsed.success) return new ApiClientError(status, 'API_HTTP', `HTTP ${status}`);
  const { code, message, ...details } = parsed.data.error;
  return new ApiClientError(status, code, message, details);
}

export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  /**
   * Sends a request and answers its JSON (`{}` for an empty body), unparsed: the typed methods
   * below parse it with the route's response schema. Error answers throw `ApiClientError`.
   */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const send = () =>
      fetch(`${this.url}${path}`, {
        method,
        headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    // A pooled keep-alive connection may have been closed by a restarted API: idempotent
    // requests are sent again (a POST is not, it could have been processed).
    const idempotent = method === 'GET' || method === 'PUT' || method === 'DELETE';
    const response = await send().catch((error: unknown) => {
      if (idempotent && error instanceof TypeError) return send();
      throw error;
    });
    const text = await response.text();
    if (!response.ok) throw errorOf(response.status, text);
    return text === '' ? {} : JSON.parse(text);
  }

  /** `request`, its answer parsed with `schema` (the route's response schema). */
  async requestAs<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<z.output<S>> {
    return answerOf(schema, await this.request(method, path, body), `${method} ${path}`);
  }

  createWorkflow(name: string, graph: unknown) {
    return this.requestAs(workflowVersionRefSchema, 'POST', '/api/v1/workflows', { name, graph });
  }

  /** Stores a new version of a workflow (`name` kept unless given). */
  updateWorkflow(id: string, body: { name?: string; graph: unknown }) {
    return this.requestAs(workflowVersionRefSchema, 'PUT', `/api/v1/workflows/${id}`, body);
  }

  listWorkflows(query = '') {
    return this.requestAs(pageOf(workflowSummarySchema), 'GET', `/api/v1/workflows${query}`);
  }

  getWorkflow(id: string) {
    return this.requestAs(workflowResponseSchema, 'GET', `/api/v1/workflows/${id}`);
  }

  listWorkflowVersions(id: string) {
    return this.requestAs(workflowVersionListSchema, 'GET', `/api/v1/workflows/${id}/versions`);
  }

  getWorkflowVersion(id: string, version: number) {
    return this.requestAs(
      workflowVersionResponseSchema,
      'GET',
      `/api/v1/workflows/${id}/versions/${version}`,
    );
  }

  compile(body: { graph: unknown; placement?: Record<string, string> }) {
    return this.requestAs(compileResponseSchema, 'POST', '/api/v1/compile', body);
  }

  plan(body: { graph: unknown; objective?: 'makespan' | 'cost' | 'balanced' }) {
    return this.requestAs(planResponseSchema, 'POST', '/api/v1/plan', body);
  }

  estimate(body: { graph: unknown; placement?: Record<string, string> }) {
    return this.requestAs(estimateResponseSchema, 'POST', '/api/v1/estimate', body);
  }

  deploy(
    workflowId: string,
    options: { version?: number; placement?: Record<string, string> } = {},
  ) {
    return this.requestAs(
      deploymentCreatedSchema,
      'POST',
      `/api/v1/workflows/${workflowId}/deployments`,
      options,
    );
  }

  getDeployment(id: string): Promise<Deployment> {
    return this.requestAs(deploymentResponseSchema, 'GET', `/api/v1/deployments/${id}`);
  }

  listDeployments(workflowId: string) {
    return this.requestAs(
      deploymentListSchema,
      'GET',
      `/api/v1/workflows/${workflowId}/deployments`,
    );
  }

  /**
   * Polls the deployment until it is ready or failed; `onUpdate` sees every poll's state (each
   * function's status and the provider's own state word), e.g. to print progress.
   */
  async waitForDeployment(
    id: string,
    timeoutMs = 60_000,
    onUpdate?: (deployment: DeploymentState) => void,
  ): Promise<Deployment> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const deployment = await this.getDeployment(id);
      onUpdate?.(deployment);
      if (deployment.status === 'ready' || deployment.status === 'failed') return deployment;
      if (Date.now() > until) {
        throw new ApiClientError(
          0,
          'CLI_TIMEOUT',
          `deployment ${id} is still ${deployment.status} after ${timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  startExecution(deploymentId: string, input: unknown) {
    return this.requestAs(
      executionStartedSchema,
      'POST',
      `/api/v1/deployments/${deploymentId}/executions`,
      { input },
    );
  }

  getExecution(id: string): Promise<ExecutionView> {
    return this.requestAs(executionViewSchema, 'GET', `/api/v1/executions/${id}`);
  }

  /** `query`: e.g. `?workflow=wf_…&status=succeeded`. */
  listExecutions(query = '') {
    return this.requestAs(executionListSchema, 'GET', `/api/v1/executions${query}`);
  }

  /** Committed widths of map instances. */
  fanOutCounts(id: string, instances: readonly string[]) {
    const query = instances.map((i) => `instance=${encodeURIComponent(i)}`).join('&');
    return this.requestAs(fanOutCountsSchema, 'GET', `/api/v1/executions/${id}/fan-outs?${query}`);
  }

  redriveExecution(id: string) {
    return this.requestAs(executionStartedSchema, 'POST', `/api/v1/executions/${id}/redrive`);
  }

  listClouds() {
    return this.requestAs(cloudListSchema, 'GET', '/api/v1/clouds');
  }

  /** Injects faults into a local cloud (`FaultSpec` of @jointflow/shims). */
  async injectFaults(cloud: string, spec: unknown): Promise<void> {
    await this.request('POST', `/api/v1/clouds/${cloud}/faults`, spec);
  }

  /**
   * The full committed output of one instance as its JSON text (blob-stored outputs included),
   * however large; `JSON.parse` it for the value.
   */
  async stepOutputText(id: string, instance: string): Promise<string> {
    const response = await fetch(
      `${this.url}/api/v1/executions/${id}/output?instance=${encodeURIComponent(instance)}`,
      { headers: this.headers({}) },
    );
    const text = await response.text();
    if (!response.ok) throw errorOf(response.status, text);
    return text;
  }

  /** Cancels a running execution; answers its status (`cancelled`, or how it ended first). */
  cancelExecution(id: string) {
    return this.requestAs(executionCancelledSchema, 'POST', `/api/v1/executions/${id}/cancel`, {});
  }

  /**
   * Follows an execution's events over SSE until the `end` message, which it returns. When the
   * connection breaks (the API restarted, a network blip) it reconnects with `Last-Event-ID`, so
   * every event is delivered once and in order; it gives up after `reconnects` failed attempts in
   * a row. HTTP errors (401, 404) are not retried.
   */
  async followEvents(id: string, options: FollowOptions): Promise<EndOfStream | undefined> {
    let lastSeq = options.lastEventId;
    let failures = 0;
    const maxFailures = options.reconnects ?? 20;
    for (;;) {
      try {
        const outcome = await this.streamOnce(id, lastSeq, options, (seq) => {
          lastSeq = seq;
          failures = 0;
        });
        if (outcome !== undefined) return outcome;
        failures += 1;
        if (failures > maxFailures) return undefined;
      } catch (error) {
        if (error instanceof ApiClientError || options.signal?.aborted) throw error;
        failures += 1;
        if (failures > maxFailures) throw error;
      }
      if (options.signal?.aborted) return undefined;
      // The stream ended or broke before `end`: reconnect after a short pause.
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** failures)));
    }
  }

  private async streamOnce(
    id: string,
    lastSeq: number | undefined,
    options: FollowOptions,
    onSeq: (seq: number) => void,
  ): Promise<EndOfStream | undefined> {
    const response = await fetch(`${this.url}/api/v1/executions/${id}/events`, {
      headers: this.headers(lastSeq !== undefined ? { 'last-event-id': String(lastSeq) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!response.ok || response.body === null) {
      throw errorOf(response.status, await response.text());
    }
    let end: EndOfStream | undefined;
    await readSse(response.body, (message) => {
      const what = `the event stream of ${id}`;
      if (message.event === 'end') {
        end = answerOf(sseEndDataSchema, JSON.parse(message.data), what);
        return false;
      }
      const event = answerOf(sseTraceDataSchema, JSON.parse(message.data), what);
      options.onEvent(event);
      onSeq(event.seq);
      return true;
    });
    return end;
  }
}
