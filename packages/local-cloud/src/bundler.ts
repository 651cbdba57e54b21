import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { createHarnessCache } from './harnessCache';
import { shimsWithoutSideEffects } from './shimsSideEffectFree.mjs';

/**
 * Packages one function for a worker process run with plain `node` (no TypeScript loader, so a
 * warm worker costs only Node's own memory): `bundles/harness.mjs` (the worker harness with the
 * runtime, built once per source state and copied into each cloud's directory: harnessCache.ts) plus, per code hash, `user.mjs` (the user's TypeScript
 * and its imports) and `function.mjs`, which imports both and starts the worker. Functions with
 * the same code share a directory. Each module has a source map beside it.
 */

const here = dirname(fileURLToPath(import.meta.url));
const harnessEntry = join(here, 'workerEntry.ts');
const zipSandboxEntry = join(here, 'zipSandbox.ts');
const harnessCache = createHarnessCache();

/**
 * Cloud SDKs the shims package depends on but a local worker never runs: left out of the build
 * (not even parsed: builds took ~4.5 s instead of ~1.9 s at load 25). Once the shims' unused
 * modules are dropped nothing imports them; a bundle that still would is refused (below).
 */
const LEFT_OUT = [
  '@aws-sdk/*',
  '@smithy/*',
  '@alicloud/*',
  '@darabonba/*',
  'tablestore',
  'ali-oss',
  'dynalite',
  's3rver',
  'esbuild',
];
const leftOutOf = (patterns: readonly string[]) => (path: string) =>
  patterns.some((p) =>
    p.endsWith('/*') ? path.startsWith(p.slice(0, -1)) : path === p || path.startsWith(`${p}/`),
  );

/**
 * Step code may import AWS SDK v3 clients itself (an imported Step Functions Task that calls
 * DynamoDB, S3, SQS, SNS or Lambda does: @jointflow/ir's aslStepCode.ts): the user module
 * bundles them, so only the steps that call AWS pay for a client (~1 MB, built per code hash),
 * never the harness. The other cloud SDKs stay out of user modules too.
 */
const LEFT_OUT_OF_USER_CODE = LEFT_OUT.filter((p) => p !== '@aws-sdk/*' && p !== '@smithy/*');

/**
 * Where step code's bare imports resolve: the packages installed with Jointflow (the user's file
 * sits in the cloud's data directory, outside any node_modules).
 */
const installedPackages =
  createRequire(import.meta.url).resolve.paths('@aws-sdk/client-lambda') ?? [];

export type BundleResult =
  | {
      ok: true;
      path: string;
      codeHash: string;
      /** What its worker reads (its own directory, the harness and its map): nothing else. */
      reads: string[];
    }
  | { ok: false; reason: string };

export function codeHashOf(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

/**
 * The sandbox program of zip functions (zipSandbox.ts), bundled once per cloud into
 * `<dataDir>/bundles/zip-sandbox.mjs` so a sandbox runs with plain `node`. Resolves to its path.
 */
export function createZipSandboxProgram(dataDir: string): () => Promise<string> {
  let built: Promise<string> | undefined;
  return () => {
    if (built === undefined) {
      const dir = join(dataDir, 'bundles');
      mkdirSync(dir, { recursive: true });
      const entryFile = join(dir, 'zip-sandbox-entry.ts');
      const outfile = join(dir, 'zip-sandbox.mjs');
      writeFileSync(
        entryFile,
        `import { startZipSandbox } from ${JSON.stringify(zipSandboxEntry)};\nstartZipSandbox();\n`,
      );
      built = build({
        entryPoints: [entryFile],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'silent',
      }).then(() => outfile);
      // A failed build (a bug of ours) is retried on the next use rather than cached.
      built.catch(() => {
        built = undefined;
      });
    }
    return built;
  };
}

export function createBundler(dataDir: string): (code: string) => Promise<BundleResult> {
  const dir = join(dataDir, 'bundles');
  mkdirSync(dir, { recursive: true });
  const cache = new Map<string, Promise<BundleResult>>();
  const harnessFile = join(dir, 'harness.mjs');
  let harness: Promise<BundleResult> | undefined;

  /** esbuild with the options every worker module shares; the result, or the reason it failed. */
  async function buildModule(
    entryFile: string,
    outfile: string,
    plugins: Plugin[],
    leftOutPatterns: readonly string[] = LEFT_OUT,
  ): Promise<{ ok: true; inputs: string[] } | { ok: false; reason: string }> {
    const leftOut = leftOutOf(leftOutPatterns);
    try {
      const result = await build({
        entryPoints: [entryFile],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'silent',
        // A map beside the module: the worker maps a failed step's stack to user.ts:<line>, the
        // user's own file (sourceMappedStacks.ts). No sources inside: a smaller file to read.
        sourcemap: true,
        sourcesContent: false,
        plugins,
        external: [...leftOutPatterns],
        nodePaths: installedPackages,
        metafile: true,
        // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
        banner: {
          js: "import { createRequire as __jfCreateRequire } from 'node:module'; const require = __jfCreateRequire(import.meta.url);",
        },
      });
      const missing = Object.values(result.metafile.outputs)
        .flatMap((output) => output.imports)
        .filter((i) => i.external && leftOut(i.path))
        .map((i) => i.path);
      if (missing.length > 0) {
        return {
          ok: false,
          reason: `DEPLOY_BUILD_FAILED: the function would load ${[...new Set(missing)].join(', ')}, cloud SDKs that functions on a local cloud cannot load; remove that import from the step's code (steps reach stores and blobs through the runtime's ctx)`,
        };
      }
      // esbuild names inputs relative to its working directory (this process's cwd).
      const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(input));
      return { ok: true, inputs };
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
      return { ok: false, reason: `DEPLOY_BUILD_FAILED: ${reason}` };
    }
  }

  /**
   * The worker harness (workerEntry.ts with the runtime and the shims' HTTP ports), built once
   * per cloud process and shared by every function: a deploy then builds only the user's code
   * (milliseconds instead of seconds), and the harness file stays in the page cache.
   */
  function harnessModule(): Promise<BundleResult> {
    if (harness === undefined) {
      const entryFile = join(dir, 'harness-entry.ts');
      writeFileSync(entryFile, `export { startWorker } from ${JSON.stringify(harnessEntry)};\n`);
      const ready: BundleResult = { ok: true, path: harnessFile, codeHash: '', reads: [] };
      // Built by an earlier cloud from the same sources (harnessCache.ts): a copy, not a build.
      harness = harnessCache.restore(harnessFile)
        ? Promise.resolve(ready)
        : buildModule(entryFile, harnessFile, [shimsWithoutSideEffects]).then((r) => {
            if (!r.ok) return r;
            harnessCache.save(
              harnessFile,
              r.inputs.filter((input) => input !== resolve(entryFile)),
            );
            return ready;
          });
      // A failed harness build (a bug of ours, not the user's) is retried on the next deploy.
      void harness.then((r) => {
        if (!r.ok) harness = undefined;
      });
    }
    return harness;
  }

  async function bundle(code: string, codeHash: string): Promise<BundleResult> {
    const shared = await harnessModule();
    if (!shared.ok) return shared;
    const work = join(dir, codeHash.slice(0, 16));
    mkdirSync(work, { recursive: true });
    const userFile = join(work, 'user.ts');
    const userModule = join(work, 'user.mjs');
    const outfile = join(work, 'function.mjs');
    writeFileSync(userFile, code.trim() === '' ? 'export {};\n' : code);
    const built = await buildModule(userFile, userModule, [], LEFT_OUT_OF_USER_CODE);
    if (!built.ok) return built;
    writeFileSync(
      outfile,
      [
        "import * as userModule from './user.mjs';",
        "import { startWorker } from '../harness.mjs';",
        'startWorker(userModule);',
        '',
      ].join('\n'),
    );
    return {
      ok: true,
      path: outfile,
      codeHash,
      reads: [`${work}/`, harnessFile, `${harnessFile}.map`],
    };
  }

  return (code) => {
    const codeHash = codeHashOf(code);
    let result = cache.get(codeHash);
    if (result === undefined) {
      result = bundle(code, codeHash);
      cache.set(codeHash, result);
      // A failed build is not cached: the next deploy of the same code reports it afresh.
      void result.then((r) => {
        if (!r.ok) cache.delete(codeHash);
      });
    }
    return result;
  };
}
