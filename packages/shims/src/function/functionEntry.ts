import * as userModule from 'jointflow:user-code';
import { readFileSync } from 'node:fs';
import { parseFunctionPackageConfig } from './functionConfig';
import { createFunctionHandler } from './handler';

/**
 * The entry of every packaged function (bundled by packageFunction.ts into `index.mjs`). It is
 * the same text for every function: what differs is the user's module (`jointflow:user-code`,
 * resolved by the bundler) and `function.json` beside it in the zip, read as data when the
 * container starts. Lambda calls `index.handler`; FC calls it the same way.
 */
const config = parseFunctionPackageConfig(
  JSON.parse(readFileSync(new URL('./function.json', import.meta.url), 'utf8')),
);

export const handler = createFunctionHandler(config, userModule as Record<string, unknown>);
