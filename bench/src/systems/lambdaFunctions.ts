import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { FROM_CLOUD_HEADER } from '@jointflow/shims';
import { build, type Plugin } from 'esbuild';
import { strToU8, zipSync } from 'fflate';
import { z } from 'zod';
import { getJson, postJson } from '../httpJson';

/**
 * Plain functions on the local clouds: zips with no Jointflow runtime inside, deployed through the
 * clouds' Lambda API (CreateFunction) and invoked through their Lambda Invoke API, the path every
 * Jointflow step takes. The centralized baseline and the floor run on these, so all three pay the
 * same invoke path: the cloud's HTTP front, its async queue (Event) or a synchronous dispatch
 * (RequestResponse), a sandbox per invocation with cold starts, billing, and the profiles'
 * one-way latency between clouds (`x-jointflow-from`).
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The local clouds check only that a role is given; nothing assumes it. */
const BENCH_ROLE = 'arn:aws:iam::000000000000:role/jointflow-bench';
const STEP_MODULE = 'jointflow-bench:step';

/** A valid, stable Lambda function name (`[A-Za-z0-9_-]{1,64}`) for the given parts. */
export function lambdaFunctionName(prefix: string, ...parts: string[]): string {
  const readable = parts
    .join('-')
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, 40);
  const hash = createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 8);
  return `${prefix}-${readable}-${hash}`;
}

/** Lets a wrapper import the step's TypeScript as `jointflow-bench:step`, resolved from the repo. */
function stepModule(code: string): Plugin {
  return {
    name: 'jointflow-bench-step',
    setup(b) {
      b.onResolve({ filter: /^jointflow-bench:step$/ }, () => ({
        path: 'step.ts',
        namespace: 'jointflow-bench-step',
      }));
      b.onLoad({ filter: /.*/, namespace: 'jointflow-bench-step' }, () => ({
        contents: code,
        loader: 'ts',
        resolveDir: repoRoot,
      }));
    },
  };
}

/** Bundles `wrapper` (JavaScript that imports the step from `jointflow-bench:step`) into one ESM module. */
async function bundleWrapper(wrapper: string, stepCode: string): Promise<string> {
  const result = await build({
    stdin: { contents: wrapper, loader: 'js', resolveDir: repoRoot, sourcefile: 'index.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    plugins: [stepModule(stepCode)],
    banner: {
      js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);",
    },
  });
  return result.outputFiles[0]?.text ?? '';
}

/**
 * A step as a Lambda handler for the centralized coordinator: runs the user's step code with the
 * baselines' context (userCode.ts) and returns `{output, durationMs}` (the handler time, which the
 * cost model prices as the other baselines').
 */
export function stepFunctionModule(stepCode: string): Promise<string> {
  return bundleWrapper(
    `import * as step from '${STEP_MODULE}';
const run = step.handler ?? step.default;
export async function handler(event) {
  const started = performance.now();
  const ctx = {
    execution: event.execution,
    instance: event.instance,
    once: async (key, fn) => fn(event.execution + '/' + event.instance + '/' + key),
  };
  const output = await run(event.input, ctx);
  return { output, durationMs: performance.now() - started };
}
`,
    stepCode,
  );
}

/**
 * The floor as a Lambda handler: runs the step (the no-op mark), then invokes the next function
 * itself through its cloud's Lambda Invoke API (Event, as Jointflow invokes successors), or
 * posts the result to the driver's `reply` URL after the last step. No checkpoint, no store.
 * Each hop in `event.next` is `{url, name, from}`: the next function's cloud, its name and the
 * cloud this function runs on (for the cross-cloud latency).
 */
export function floorFunctionModule(stepCode: string): Promise<string> {
  return bundleWrapper(
    `import http from 'node:http';
import * as step from '${STEP_MODULE}';
const run = step.handler ?? step.default;
const agent = new http.Agent({ keepAlive: true });
function post(url, body, headers) {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
export async function handler(event) {
  const output = await run(event.payload);
  const [next, ...rest] = event.next;
  if (next === undefined) {
    await post(event.reply, output, {});
    return null;
  }
  const status = await post(
    next.url + '/2015-03-31/functions/' + encodeURIComponent(next.name) + '/invocations',
    { next: rest, payload: output, reply: event.reply },
    { 'x-amz-invocation-type': 'Event', '${FROM_CLOUD_HEADER}': next.from },
  );
  if (status !== 202) throw new Error('BENCH_FLOOR_INVOKE: invoking ' + next.name + ' answered ' + status);
  return null;
}
`,
    stepCode,
  );
}

const configuration = z.looseObject({
  State: z.string().optional(),
  StateReason: z.string().optional(),
});

/**
 * Deploys `moduleText` as `index.mjs` (handler `index.handler`) through the cloud's Lambda
 * CreateFunction and waits until the function is Active.
 */
export async function deployLambdaFunction(
  cloudUrl: string,
  name: string,
  moduleText: string,
  memoryMb: number,
): Promise<void> {
  const zip = zipSync({ 'index.mjs': strToU8(moduleText) });
  const created = await postJson(`${cloudUrl}/2015-03-31/functions`, {
    FunctionName: name,
    Role: BENCH_ROLE,
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    MemorySize: Math.max(128, memoryMb),
    Timeout: 300,
    Code: { ZipFile: Buffer.from(zip).toString('base64') },
  });
  if (created.status !== 201) {
    throw new Error(
      `BENCH_LAMBDA_DEPLOY: ${name}: ${created.status} ${JSON.stringify(created.body)}`,
    );
  }
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const got = await getJson(`${cloudUrl}/2015-03-31/functions/${name}/configuration`);
    const state = configuration.parse(got.body);
    if (state.State === 'Active') return;
    if (state.State === 'Failed') {
      throw new Error(`BENCH_LAMBDA_DEPLOY: ${name} failed: ${state.StateReason ?? '?'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`BENCH_LAMBDA_DEPLOY: ${name} did not become Active`);
}
