import type { CloudProfile, FunctionContext, FunctionIR } from '@jointflow/ir';
import { functionContextSchema, functionIRSchema } from '@jointflow/ir';
import { deployedFunctionName } from '@jointflow/shims';
import { z } from 'zod';
import type { BilledFunction } from './billing';
import type { BundleResult } from './bundler';
import { CloudError } from './cloudError';
import type { CloudDatabase } from './database';
import { sandboxLaunch } from './sandboxPermissions';
import type { DeployedFunction, WorkerPool } from './workerPool';

/** Sandboxes per worker process when the profile does not say (`behaviour.processConcurrency`). */
export const DEFAULT_PROCESS_CONCURRENCY = 32;

export const deploymentSchema = z.object({
  deployment: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a deployment id is letters, digits, _ or -'),
  context: functionContextSchema,
  fn: functionIRSchema,
  env: z.record(z.string(), z.string()),
});

/** A bundled function ready to run: what the worker pool starts and where its traces go. */
export interface ReadyFunction {
  state: 'ready';
  codeHash: string;
  deployed: DeployedFunction;
  fn: FunctionIR;
  secret?: string;
  traceUrl?: string;
}

export type FunctionRecord =
  | { state: 'deploying' }
  | ReadyFunction
  | { state: 'failed'; reason: string };

export type FunctionStateView =
  | { state: 'absent' }
  | { state: 'deploying' }
  | { state: 'ready'; codeHash: string }
  | { state: 'failed'; reason: string };

/**
 * The cloud's bundled functions (those deployed through `/control/functions`): deploy, describe,
 * remove, their bundles and the one version each runs, persisted so a restarted cloud has them.
 * Zip functions created through the Lambda and FC APIs live in zipFunctions.ts.
 */
export interface FunctionRegistry {
  get(name: string): FunctionRecord | undefined;
  has(name: string): boolean;
  /** Validates a deployment body, builds its bundle and starts one process for it. */
  deploy(name: string, body: unknown): Promise<FunctionStateView>;
  remove(name: string): void;
  describe(name: string): FunctionStateView;
  list(): { name: string; state: FunctionStateView }[];
  /** The ready function `name`, or a 404 `ResourceNotFoundException`. */
  readyOrThrow(name: string): ReadyFunction;
  /** Deploys again what was ready before a restart (its queued invocations then run). */
  restore(): void;
}

export function createFunctionRegistry(options: {
  profile: CloudProfile;
  dataDir: string;
  db: CloudDatabase;
  pool: WorkerPool;
  bundle: (code: string) => Promise<BundleResult>;
  /** The live peer map handed to every worker (a worker started after setPeers sees each peer). */
  peers: Record<string, string>;
  /** True when a zip function (Lambda or FC API) holds the name. */
  zipNameTaken(name: string): boolean;
  /** A function became ready: its queued invocations can start. */
  onReady(): void;
}): FunctionRegistry {
  const { profile, dataDir, db, pool, bundle, peers } = options;
  const functions = new Map<string, FunctionRecord>();

  const saveFunction = db.prepare<
    [string, string, string, string, string | null, string | null, string | null]
  >(
    'INSERT OR REPLACE INTO functions (name, deployment, spec, state, reason, code_hash, bundle) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const deleteFunction = db.prepare<[string]>('DELETE FROM functions WHERE name = ?');
  const loadFunctions = db.prepare<[], { name: string; spec: string; state: string }>(
    "SELECT name, spec, state FROM functions WHERE state = 'ready'",
  );

  async function deployFrom(
    name: string,
    spec: z.infer<typeof deploymentSchema>,
    prewarm = false,
  ): Promise<FunctionStateView> {
    functions.set(name, { state: 'deploying' });
    const built = await bundle(spec.fn.code);
    if (!built.ok) {
      functions.set(name, { state: 'failed', reason: built.reason });
      saveFunction.run(
        name,
        spec.deployment,
        JSON.stringify(spec),
        'failed',
        built.reason,
        null,
        null,
      );
      return view(functions.get(name));
    }
    const { JF_TRACE_URL: traceUrl, JF_TRACE_SECRET: secret, ...workerEnv } = spec.env;
    pool.retire(name);
    const fn = spec.fn;
    // Least privilege: the worker reads its bundle and the harness, writes its own directory.
    const launch = sandboxLaunch(dataDir, name, built.reads);
    const record: ReadyFunction = {
      state: 'ready',
      codeHash: built.codeHash,
      fn,
      deployed: {
        name,
        program: launch.pathOf(built.path),
        // No --enable-source-maps: the worker maps stacks itself, lazily (sourceMappedStacks.ts).
        // The heap is held to the step's memory, as a FaaS sandbox is.
        execArgv: [...launch.execArgv, `--max-old-space-size=${fn.memoryMb}`],
        cwd: launch.workDir,
        ...(launch.identity !== undefined ? { identity: launch.identity } : {}),
        timeoutMs: fn.timeoutMs,
        memoryMb: fn.memoryMb,
        processConcurrency: profile.behaviour.processConcurrency ?? DEFAULT_PROCESS_CONCURRENCY,
        // Only what the runtime needs: never the cloud's own environment (the API's, when it
        // started the clouds) nor the trace secret, which the host keeps.
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          TMPDIR: launch.workDir,
          HOME: launch.workDir,
          ...workerEnv,
        },
        init: {
          program: 'jointflow',
          cloud: profile.id,
          // The live object: a worker started after setPeers sees every peer.
          peers,
          deployment: spec.deployment,
          fn,
          context: spec.context satisfies FunctionContext,
        },
      },
    };
    if (traceUrl !== undefined) record.traceUrl = traceUrl;
    if (secret !== undefined) record.secret = secret;
    functions.set(name, record);
    saveFunction.run(
      name,
      spec.deployment,
      JSON.stringify(spec),
      'ready',
      null,
      built.codeHash,
      built.path,
    );
    // A deploy is followed by a run (jointflow run, the designer's Run): start its process now.
    if (prewarm) pool.prewarm(record.deployed);
    options.onReady();
    return view(record);
  }

  return {
    get: (name) => functions.get(name),
    has: (name) => functions.has(name),
    async deploy(name, body) {
      const parsed = deploymentSchema.safeParse(body);
      if (!parsed.success) {
        throw new CloudError(
          400,
          'LOCAL_BAD_DEPLOYMENT',
          `not a function deployment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
      if (options.zipNameTaken(name)) {
        throw new CloudError(
          409,
          'LOCAL_NAME_TAKEN',
          `${name} is a zip function created through the Lambda or FC API on ${profile.id}; delete it there first`,
        );
      }
      if (deployedFunctionName(parsed.data.deployment, parsed.data.fn.name) !== name) {
        throw new CloudError(
          400,
          'LOCAL_BAD_DEPLOYMENT',
          `function ${name} does not match the deployment's name`,
        );
      }
      return deployFrom(name, parsed.data, true);
    },
    remove(name) {
      functions.delete(name);
      deleteFunction.run(name);
      pool.retire(name);
    },
    describe: (name) => view(functions.get(name)),
    list: () => [...functions].map(([name, record]) => ({ name, state: view(record) })),
    readyOrThrow(name) {
      const record = functions.get(name);
      if (record?.state !== 'ready') {
        throw new CloudError(
          404,
          'ResourceNotFoundException',
          `Function not found: ${name} is ${record?.state ?? 'not deployed'} on ${profile.id}; deploy it first`,
        );
      }
      return record;
    },
    restore() {
      for (const row of loadFunctions.all()) {
        const spec = deploymentSchema.safeParse(JSON.parse(row.spec));
        if (spec.success) void deployFrom(row.name, spec.data);
      }
    },
  };
}

function view(record: FunctionRecord | undefined): FunctionStateView {
  if (record === undefined) return { state: 'absent' };
  if (record.state === 'ready') return { state: 'ready', codeHash: record.codeHash };
  return record;
}

/** A bundled function as billing sees it. */
export function readyBilledFunction(record: ReadyFunction): BilledFunction {
  return {
    name: record.deployed.name,
    memoryMb: record.fn.memoryMb,
    functionClass: record.fn.functionClass,
    ...(record.traceUrl !== undefined
      ? { trace: { url: record.traceUrl, secret: record.secret ?? '' } }
      : {}),
  };
}
