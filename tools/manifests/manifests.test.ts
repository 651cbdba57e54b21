import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ASL_SDK_CLIENTS } from '../../packages/ir/src/aslResources';

/**
 * Honest manifests (issue 15): every package a workspace's code imports is declared in that
 * workspace's package.json, every declared package is used, and type packages are dev
 * dependencies. Code that runs in production (src, bin) needs a `dependencies` entry; tests,
 * test harnesses and tool configs may also use `devDependencies` (theirs or the root's).
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Source files of a workspace (not node_modules, builds or hidden folders). */
function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    if (entry === 'test-results' || entry === 'screenshots') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|tsx|mts|mjs|js|cjs)$/.test(entry)) out.push(path);
  }
  return out;
}

/** Static imports and re-exports at the start of a line, dynamic imports, require(.resolve). */
const importPattern =
  /^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire(?:\.resolve)?\(\s*['"]([^'"]+)['"]\s*\)|\.resolve\(\s*['"]([^'"]+)['"]\s*\)/gm;

const builtins = new Set(builtinModules);

/** The package a specifier names (`@scope/pkg/sub` → `@scope/pkg`), or undefined if local. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
  if (builtins.has(name) || !/^(@[a-z0-9-._]+\/)?[a-z0-9-._]+$/.test(name)) return undefined;
  return name;
}

/**
 * The AWS SDK clients that imported Step Functions Tasks call from their step code (the IR's
 * table, `ASL_SDK_CLIENTS`): no source file imports them, the bundlers that package step code
 * (the local clouds' and the AWS shim's) resolve them from the installed packages.
 */
const stepCodeClients = new Set(Object.values(ASL_SDK_CLIENTS).map((client) => client.module));

/** Tests, harnesses, browser tests and tool configs: dev dependencies serve them too. */
const isDevFile = (path: string): boolean =>
  /\.(test|spec)\.tsx?$|\/testing\/|(^|\/)e2e\/|(^|\/)[^/]*\.config\.[cm]?[jt]s$/.test(path);

function problemsOf(workspace: string, rootDev: ReadonlySet<string>): string[] {
  const dir = join(root, workspace);
  const manifest = readManifest(dir);
  const prod = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const dev = new Set(Object.keys(manifest.devDependencies ?? {}));
  const problems: string[] = [];
  const imported = new Set<string>();
  let allText = '';
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    allText += text;
    const where = relative(root, file);
    for (const match of text.matchAll(importPattern)) {
      const name = packageOf(match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
      if (name === undefined || name === manifest.name) continue;
      imported.add(name);
      const declared = prod.has(name) || (isDevFile(where) && (dev.has(name) || rootDev.has(name)));
      if (!declared) problems.push(`${where} imports ${name}, which ${workspace} does not declare`);
    }
  }
  for (const name of [...prod, ...dev]) {
    if (name.startsWith('@types/')) {
      if (prod.has(name))
        problems.push(`${workspace} lists ${name} in dependencies, not devDependencies`);
      continue;
    }
    // Used without an import: a binary spawned from its package path, a file resolved by name,
    // or an SDK client that generated step code imports (bundled into the step's module).
    if (!imported.has(name) && !allText.includes(name) && !stepCodeClients.has(name))
      problems.push(`${workspace} declares ${name} but never uses it`);
  }
  return [...new Set(problems)];
}

describe('package manifests', () => {
  const rootManifest = readManifest(root);
  const rootDev = new Set(Object.keys(rootManifest.devDependencies ?? {}));
  it.each(rootManifest.workspaces ?? [])(
    '%s declares what it imports and uses what it declares',
    (workspace) => {
      expect(problemsOf(workspace, rootDev)).toEqual([]);
    },
  );
});
