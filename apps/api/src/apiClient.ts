import { createParser } from 'eventsource-parser';

/** A deployment as `GET /api/v1/deployments/:id` answers while it rolls out. */
export interface DeploymentState {
  status: string;
  functions: {
    name: string;
    cloud: string;
    status: string;
    reason?: string;
    /** The provider's own word for the function's state (Lambda's Pending, Active…). */
    providerState?: string;
  }[];
}

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
  onEvent(event: Record<string, unknown> & { seq: number }): void;
  signal?: AbortSignal;
  /** Failed reconnects in a row before giving up (default 20). */
  reconnects?: number;
}

export interface EndOfStream {
  status: string;
  lastSeq: number;
  result?: unknown;
  error?: { message: string };
}

export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
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
    const parsed: unknown = text === '' ? {} : JSON.parse(text);
    if (!response.ok) {
      const error = (parsed as { error?: Record<string, unknown> }).error ?? {};
      const { code, message, ...details } = error;
      throw new ApiClientError(
        response.status,
        typeof code === 'string' ? code : 'API_HTTP',
        typeof message === 'string' ? message : `HTTP ${response.status}`,
        details,
      );
    }
    return parsed as T;
  }

  createWorkflow(name: string, graph: unknown): Promise<{ id: string; version: number }> {
    return this.request('POST', '/api/v1/workflows', { name, graph });
  }

  deploy(workflowId: string, options: { version?: number } = {}): Promise<{ id: string }> {
    return this.request('POST', `/api/v1/workflows/${workflowId}/deployments`, options);
  }

  /**
   * Polls the deployment until it is ready or failed; `onUpdate` sees every poll's state (each
   * function's status and the provider's own state word), e.g. to print progress.
   */
  async waitForDeployment(
    id: string,
    timeoutMs = 60_000,
    onUpdate?: (deployment: DeploymentState) => void,
  ): Promise<DeploymentState> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const deployment = await this.request<DeploymentState>('GET', `/api/v1/deployments/${id}`);
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

  startExecution(deploymentId: string, input: unknown): Promise<{ id: string }> {
    return this.request('POST', `/api/v1/deployments/${deploymentId}/executions`, { input });
  }

  getExecution(id: string): Promise<Record<string, unknown> & { status: string }> {
    return this.request('GET', `/api/v1/executions/${id}`);
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
    if (!response.ok) {
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
      throw new ApiClientError(
        response.status,
        parsed.error?.code ?? 'API_HTTP',
        parsed.error?.message ?? `HTTP ${response.status}`,
        {},
      );
    }
    return text;
  }

  /** Cancels a running execution; answers its status (`cancelled`, or how it ended first). */
  cancelExecution(id: string): Promise<{ id: string; status: string }> {
    return this.request('POST', `/api/v1/executions/${id}/cancel`, {});
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
      const text = await response.text();
      let code = 'API_HTTP';
      let message = `HTTP ${response.status}`;
      try {
        const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
        code = parsed.error?.code ?? code;
        message = parsed.error?.message ?? message;
      } catch {
        // not JSON: keep the status line
      }
      throw new ApiClientError(response.status, code, message);
    }
    let end: EndOfStream | undefined;
    await readSse(response.body, (message) => {
      if (message.event === 'end') {
        end = JSON.parse(message.data) as EndOfStream;
        return false;
      }
      const event = JSON.parse(message.data) as Record<string, unknown> & { seq: number };
      options.onEvent(event);
      onSeq(event.seq);
      return true;
    });
    return end;
  }
}
