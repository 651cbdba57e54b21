import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Stable error codes of the API; the README lists when each is returned. */
export type ApiErrorCode =
  | 'API_BAD_JSON'
  | 'API_JSON_TOO_DEEP'
  | 'API_VALIDATION'
  | 'API_UNAUTHORIZED'
  | 'API_NOT_FOUND'
  | 'API_CONFLICT'
  | 'API_BODY_TOO_LARGE'
  | 'API_UNSUPPORTED_MEDIA_TYPE'
  | 'API_GRAPH_INVALID'
  | 'API_GRAPH_TOO_LARGE'
  | 'API_BUSY'
  | 'API_OUTPUT_GONE'
  | 'API_CLOUD_UNAVAILABLE'
  | 'API_INTERNAL';

const statusOf: Record<ApiErrorCode, ContentfulStatusCode> = {
  API_BAD_JSON: 400,
  API_JSON_TOO_DEEP: 400,
  API_VALIDATION: 400,
  API_UNAUTHORIZED: 401,
  API_NOT_FOUND: 404,
  API_CONFLICT: 409,
  API_BODY_TOO_LARGE: 413,
  API_UNSUPPORTED_MEDIA_TYPE: 415,
  API_GRAPH_INVALID: 422,
  API_GRAPH_TOO_LARGE: 413,
  API_BUSY: 503,
  API_OUTPUT_GONE: 410,
  API_CLOUD_UNAVAILABLE: 502,
  API_INTERNAL: 500,
};

/** An error the client sees as `{ error: { code, message, ...details } }` with the code's status. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }

  get status(): ContentfulStatusCode {
    return statusOf[this.code];
  }

  toBody(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError('API_NOT_FOUND', `${what} "${id}" does not exist; list them to find its id`);
}
