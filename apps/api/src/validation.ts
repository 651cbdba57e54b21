import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from './apiError';

/** Names the first problem zod found, with its path, e.g. `graph.nodes.0.name: ...`. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'the request does not match the schema';
  const path = issue.path.map(String).join('.');
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
  return `${path === '' ? 'body' : path}: ${issue.message}${more}`;
}

export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ApiError('API_VALIDATION', `invalid ${what}: ${describeZodError(parsed.error)}`);
  }
  return parsed.data;
}

/** Reads and parses a JSON body: 415 if it is not JSON, 400 `API_BAD_JSON` if it does not parse. */
export async function readJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<z.output<S>> {
  return parseJsonBody(await readJsonText(c), schema);
}

/**
 * Parses a body's text (already checked by `readJsonText`) with `schema`: 400 `API_BAD_JSON` if
 * it does not parse, 400 `API_VALIDATION` if it does not match. Also runs in the compile workers.
 */
export function parseJsonBody<S extends z.ZodType>(source: string, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unparseable';
    throw new ApiError('API_BAD_JSON', `the body is not valid JSON (${reason})`);
  }
  return parseWith(schema, value, 'body');
}

/**
 * A JSON body's text, unparsed: 415 if it is not JSON, 400 `API_JSON_TOO_DEEP` if it nests too
 * deep. Large bodies (graphs to compile) are parsed off the event loop from this text.
 */
export async function readJsonText(c: Context): Promise<string> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new ApiError(
      'API_UNSUPPORTED_MEDIA_TYPE',
      'send the body as JSON with the header Content-Type: application/json',
    );
  }
  const source = await c.req.text();
  const depth = nestingDepth(source);
  if (depth > MAX_JSON_DEPTH) {
    throw new ApiError(
      'API_JSON_TOO_DEEP',
      `the body nests arrays and objects ${depth} levels deep; the limit is ${MAX_JSON_DEPTH}, flatten the data`,
    );
  }
  return source;
}

/** Deepest nesting of arrays and objects a body may have (parsing, storing and zod recurse). */
export const MAX_JSON_DEPTH = 256;

/**
 * How deep the brackets of a JSON text nest, outside strings: one pass, no recursion, so a
 * hostile 100,000-deep body costs a scan instead of a stack overflow later.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

export function readParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.param(), 'path');
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.query(), 'query');
}
