import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Runs workflow step code outside Jointflow: the baselines (plain workers behind the
 * centralized coordinator, Restate's step service) execute the very same TypeScript source the
 * Jointflow runtime runs, bundled the same way (esbuild, ESM), so every system pays for the same
 * user code.
 */
export interface StepContext {
  execution: string;
  instance: string;
  /** Baselines have no memo store: the side effect simply runs (each system retries its own way). */
  once<T>(key: string, fn: (idempotencyKey: string) => Promise<T> | T): Promise<T>;
}

export type StepHandler = (input: unknown, ctx: StepContext) => unknown;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const loaded = new Map<string, Promise<StepHandler>>();

/** Bundles `code` (TypeScript exporting `handler`) once per distinct source and returns the handler. */
export function loadHandler(code: string): Promise<StepHandler> {
  const hash = createHash('sha256').update(code).digest('hex');
  let handler = loaded.get(hash);
  if (!handler) {
    handler = bundleAndImport(code);
    loaded.set(hash, handler);
  }
  return handler;
}

async function bundleAndImport(code: string): Promise<StepHandler> {
  const result = await build({
    stdin: { contents: code, loader: 'ts', resolveDir: repoRoot, sourcefile: 'step.ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text ?? '';
  const module: { handler?: unknown; default?: unknown } = await import(
    `data:text/javascript;base64,${Buffer.from(text).toString('base64')}`
  );
  const handler = module.handler ?? module.default;
  if (typeof handler !== 'function') {
    throw new Error('BENCH_STEP_NO_HANDLER: step code must export a function named handler');
  }
  return handler as StepHandler;
}

/** A context for user code run by a baseline. */
export function baselineContext(execution: string, instance: string): StepContext {
  return {
    execution,
    instance,
    once: async (key, fn) => fn(`${execution}/${instance}/${key}`),
  };
}

/**
 * The no-op chain step every system runs in the transition suite: it stamps the time its
 * handler started (sub-ms wall clock, comparable across processes) and passes the 1 KB payload on.
 */
export const MARK_STEP_CODE = `export function handler(input) {
  const marks = Array.isArray(input.marks) ? input.marks : [];
  return { ...input, marks: [...marks, performance.timeOrigin + performance.now()] };
}
`;

/** The 1 KB chain payload. */
export function chainPayload(): { pad: string; marks: number[] } {
  return { pad: 'x'.repeat(1024), marks: [] };
}
