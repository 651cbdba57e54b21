import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import type { ResolvedCloud } from '../cloudConfig';
import type { FunctionDeployment } from '../cloudShim';
import { ShimError } from '../httpTransport';
import type { FunctionPackageConfig } from './functionConfig';

/**
 * Packages one function for Lambda or FC as a zip of:
 * - `index.mjs` and its `chunk-*.mjs`: esbuild's bundle of the constant entry (functionEntry.ts)
 *   with the runtime, the data planes and their SDKs (one chunk per provider, loaded only when
 *   the deployment uses it) — the same bytes for every function, built once per process;
 * - `user.mjs`: the user's step code and what it imports, bundled on its own (cached by code);
 * - `function.json`: the function's config (its IR, context, deployment and the resolved clouds,
 *   never credentials or environment values), read as data — nothing is spliced into code.
 * The zip is deterministic (fixed timestamps), so the same function packages to the same
 * `codeSha256` and an unchanged function is never updated.
 */

const here = dirname(fileURLToPath(import.meta.url));
const entryFile = join(here, 'functionEntry.ts');
// Zip entries get this time so identical inputs give identical bytes (the DOS epoch + 1 day).
const FIXED_MTIME = new Date('1980-01-02T00:00:00Z');
// CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
const requireBanner =
  "import { createRequire as __jfCreateRequire } from 'node:module'; const require = __jfCreateRequire(import.meta.url);";

export interface FunctionPackage {
  zip: Uint8Array;
  /** Base64 SHA-256 of the zip: what Lambda reports as `CodeSha256`. */
  codeSha256: string;
  /** Hex SHA-256 of the zip (FC and the local cloud's own checks). */
  sha256Hex: string;
  /** Size of the three files before zipping, bytes. */
  unzippedBytes: number;
}

const common = {
  write: false,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'silent',
  banner: { js: requireBanner },
  // ali-oss's urllib requires the optional `proxy-agent` lazily, only when a proxy is configured;
  // it is not installed, and left unresolved it would fail every build that reaches ali-oss.
  external: ['proxy-agent'] as string[],
} as const;

function buildFailure(error: unknown): ShimError {
  const failure = error as {
    errors?: { text: string; location?: { line: number; column: number } | null }[];
  };
  const reason =
    failure.errors
      ?.map((e) =>
        e.location ? `line ${e.location.line}:${e.location.column}: ${e.text}` : e.text,
      )
      .join('; ') ?? (error instanceof Error ? error.message : String(error));
  return new ShimError('DEPLOY_BUILD_FAILED', `DEPLOY_BUILD_FAILED: ${reason}`);
}

/** One output file of the entry's build, by its name in the zip. */
type BundleFiles = Record<string, Uint8Array>;

let entryBundle: Promise<BundleFiles> | undefined;

/**
 * The constant entry with the runtime and the data planes, built once per process. Split into
 * chunks: `index.mjs` plus one chunk per provider's data plane (and what they share), which
 * the entry imports only for the providers its deployment uses.
 */
function entryBundleOf(): Promise<BundleFiles> {
  entryBundle ??= build({
    ...common,
    entryPoints: { index: entryFile },
    outdir: '/jointflow-out',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    splitting: true,
    minify: true,
    // SDK errors are matched by name; keep class and function names as written.
    keepNames: true,
  }).then(
    (result) => {
      const files: BundleFiles = {};
      for (const out of result.outputFiles) {
        files[out.path.replace(/^.*[/\\]/, '')] = out.contents;
      }
      if (files['index.mjs'] === undefined) throw new Error('esbuild produced no index.mjs');
      return files;
    },
    (error: unknown) => {
      entryBundle = undefined;
      throw buildFailure(error);
    },
  );
  return entryBundle;
}

const userBundles = new Map<string, Promise<Uint8Array>>();

/** The user's step code with what it imports, as its own module (`user.mjs`). */
function userBundleOf(code: string): Promise<Uint8Array> {
  const key = createHash('sha256').update(code).digest('hex');
  let pending = userBundles.get(key);
  if (pending === undefined) {
    pending = build({
      ...common,
      stdin: {
        contents: code.trim() === '' ? 'export {};\n' : code,
        loader: 'ts',
        sourcefile: 'user.ts',
        // Bare imports in step code resolve against the packages installed with Jointflow.
        resolveDir: here,
      },
      outfile: 'user.mjs',
    }).then(
      (result) => {
        const out = result.outputFiles[0];
        if (out === undefined) throw new Error('esbuild produced no output for the step code');
        return out.contents;
      },
      (error: unknown) => {
        // A failed build is not kept: the next deploy of the same code reports it afresh.
        userBundles.delete(key);
        throw buildFailure(error);
      },
    );
    userBundles.set(key, pending);
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
  const [entry, user] = await Promise.all([entryBundleOf(), userBundleOf(spec.fn.code)]);
  const config = new TextEncoder().encode(
    `${JSON.stringify(functionConfigOf(spec, cloud, clouds, flavor))}\n`,
  );
  const files: Record<string, Uint8Array> = {
    ...entry,
    'user.mjs': user,
    'function.json': config,
  };
  const zip = zipSync(
    Object.fromEntries(
      Object.keys(files)
        .sort()
        .map((name) => [name, [files[name] as Uint8Array, { mtime: FIXED_MTIME }]]),
    ),
    { level: 6 },
  );
  const digest = createHash('sha256').update(zip).digest();
  return {
    zip,
    codeSha256: digest.toString('base64'),
    sha256Hex: digest.toString('hex'),
    unzippedBytes: Object.values(files).reduce((n, f) => n + f.byteLength, 0),
  };
}
