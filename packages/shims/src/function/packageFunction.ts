import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { zipSync } from 'fflate';
import type { ResolvedCloud } from '../cloudConfig';
import type { FunctionDeployment } from '../cloudShim';
import { ShimError } from '../httpTransport';
import type { FunctionPackageConfig } from './functionConfig';

/**
 * Packages one function for Lambda or FC: esbuild bundles the constant entry
 * (functionEntry.ts) with the user's step code, the runtime and the data planes into
 * `index.mjs`; the function's config (its IR, context, deployment and the resolved clouds,
 * never credentials or environment values) goes beside it as `function.json`, read as data.
 * The zip is deterministic (fixed timestamps), so the same function packages to the same
 * `codeSha256` and an unchanged function is never updated.
 *
 * Bundles depend only on the user's code: functions with the same code (every join or map
 * without code) share one build per process.
 */

const here = dirname(fileURLToPath(import.meta.url));
const entryFile = join(here, 'functionEntry.ts');
const USER_CODE = 'jointflow:user-code';
// Zip entries get this time so identical inputs give identical bytes (the DOS epoch + 1 day).
const FIXED_MTIME = new Date('1980-01-02T00:00:00Z');

export interface FunctionPackage {
  zip: Uint8Array;
  /** Base64 SHA-256 of the zip: what Lambda reports as `CodeSha256`. */
  codeSha256: string;
  /** Hex SHA-256 of the zip (FC and the local cloud's own checks). */
  sha256Hex: string;
  /** Size of the bundled code, bytes (before zipping). */
  bundleBytes: number;
}

const bundles = new Map<string, Promise<Uint8Array>>();

function userCodePlugin(code: string): Plugin {
  return {
    name: 'jointflow-user-code',
    setup(b) {
      b.onResolve({ filter: /^jointflow:user-code$/ }, () => ({
        path: USER_CODE,
        namespace: 'jointflow',
      }));
      b.onLoad({ filter: /.*/, namespace: 'jointflow' }, () => ({
        contents: code.trim() === '' ? 'export {};\n' : code,
        loader: 'ts',
        // Bare imports in step code resolve against the packages installed with Jointflow.
        resolveDir: here,
      }));
    },
  };
}

async function bundle(code: string): Promise<Uint8Array> {
  try {
    const result = await build({
      entryPoints: [entryFile],
      outfile: 'index.mjs',
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      // SDK errors are matched by name; keep class and function names as written.
      keepNames: true,
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [userCodePlugin(code)],
      // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
      banner: {
        js: "import { createRequire as __jfCreateRequire } from 'node:module'; const require = __jfCreateRequire(import.meta.url);",
      },
    });
    const out = result.outputFiles[0];
    if (out === undefined) throw new Error('esbuild produced no output');
    return out.contents;
  } catch (error) {
    const failure = error as {
      errors?: { text: string; location?: { line: number; column: number } | null }[];
    };
    const reason =
      failure.errors
        ?.map((e) =>
          e.location ? `line ${e.location.line}:${e.location.column}: ${e.text}` : e.text,
        )
        .join('; ') ?? (error instanceof Error ? error.message : String(error));
    throw new ShimError('DEPLOY_BUILD_FAILED', `DEPLOY_BUILD_FAILED: ${reason}`);
  }
}

function bundleOf(code: string): Promise<Uint8Array> {
  const key = createHash('sha256').update(code).digest('hex');
  let pending = bundles.get(key);
  if (pending === undefined) {
    pending = bundle(code);
    bundles.set(key, pending);
    // A failed build is not kept: the next deploy of the same code reports it afresh.
    pending.catch(() => bundles.delete(key));
  }
  return pending;
}

/** The config packaged as `function.json` for `spec` running on `cloud`. */
export function functionConfigOf(
  spec: FunctionDeployment,
  cloud: ResolvedCloud,
  clouds: ResolvedCloud[],
  flavor: FunctionPackageConfig['flavor'],
): FunctionPackageConfig {
  return {
    flavor,
    cloud: cloud.id,
    deployment: spec.deployment,
    fn: spec.fn,
    context: spec.context,
    clouds: clouds.some((c) => c.id === cloud.id) ? clouds : [...clouds, cloud],
  };
}

/**
 * Builds the deployment zip of `spec` for `cloud` (`index.mjs` + `function.json`).
 * Rejects with `DEPLOY_BUILD_FAILED` when the step code does not build.
 *
 * @example
 * const { zip, codeSha256 } = await packageFunction(spec, cloud, clouds, 'lambda');
 */
export async function packageFunction(
  spec: FunctionDeployment,
  cloud: ResolvedCloud,
  clouds: ResolvedCloud[],
  flavor: FunctionPackageConfig['flavor'],
): Promise<FunctionPackage> {
  const code = await bundleOf(spec.fn.code);
  const config = new TextEncoder().encode(
    `${JSON.stringify(functionConfigOf(spec, cloud, clouds, flavor))}\n`,
  );
  const zip = zipSync(
    {
      'index.mjs': [code, { mtime: FIXED_MTIME }],
      'function.json': [config, { mtime: FIXED_MTIME }],
    },
    { level: 9 },
  );
  const digest = createHash('sha256').update(zip).digest();
  return {
    zip,
    codeSha256: digest.toString('base64'),
    sha256Hex: digest.toString('hex'),
    bundleBytes: code.byteLength,
  };
}
