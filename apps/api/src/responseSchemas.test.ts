import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * `@jointflow/api/schemas` (the response schemas) is what the web app parses answers with, so it
 * must bundle for a browser: zod, the IR package and the runtime's message schemas, nothing of
 * Node or of the server.
 */
describe('@jointflow/api/schemas', () => {
  it('bundles for the browser without Node modules or server code', async () => {
    const result = await build({
      entryPoints: [join(__dirname, 'responseSchemas.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((f) => f.includes('packages/runtime/src/messages.ts'))).toBe(true);
    const offending = inputs.filter(
      (f) =>
        f.startsWith('node:') ||
        /apps\/api\/src\/(?!responseSchemas|store\/records)/.test(f) ||
        /packages\/(shims|local-cloud)\//.test(f) ||
        /packages\/runtime\/src\/(?!messages)/.test(f),
    );
    expect(offending).toEqual([]);
  });
});
