import { readFileSync } from 'node:fs';
import { loadDataPlanes } from './dataPlaneLoader';
import { parseFunctionPackageConfig } from './functionConfig';
import { createFunctionHandler } from './handler';

/**
 * The entry of every packaged function, bundled once per process by packageFunction.ts into
 * `index.mjs` (with the runtime, the data planes and their SDKs): it is the same file in every
 * zip. What differs sits beside it: the user's step code, bundled on its own as `user.mjs`, and
 * `function.json`, read as data when the container starts. Lambda and FC call `index.handler`.
 */
const config = parseFunctionPackageConfig(
  JSON.parse(readFileSync(new URL('./function.json', import.meta.url), 'utf8')),
);
// A computed specifier, so the bundler leaves the user's module to be loaded at run time.
const userModuleUrl = new URL('./user.mjs', import.meta.url).href;
const userModule = (await import(userModuleUrl)) as Record<string, unknown>;

// Only the providers of this deployment's clouds are loaded (each is its own chunk).
const dataPlaneOf = await loadDataPlanes(config.clouds.map((c) => c.provider));

export const handler = createFunctionHandler(config, userModule, { dataPlaneOf });
