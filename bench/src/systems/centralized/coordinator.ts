import http from 'node:http';
import type { WorkflowIR } from '@jointflow/ir';
import { z } from 'zod';
import { announceReady } from '../../childProcess';
import { listenLoopback, postJson, readJsonBody, sendJson } from '../../httpJson';
import { invokeLambda } from '../lambdaInvoke';
import { interpretWorkflow } from '../workflowInterpreter';
import { type HistoryEvent, openHistoryStore } from './historyStore';

/**
 * The centralized orchestrator baseline, in the style of AWS Step Functions Standard: one
 * coordinator process owns every execution. For each state it invokes the step synchronously
 * (RequestResponse), waits for the result, and appends the transition to its history in one
 * durable SQLite transaction before it starts the next state.
 * See bench/README.md for what is faithful and what is simplified.
 *
 * argv[2] is JSON: `{ db, fsync, home, steps }`. `steps` says how a step is invoked:
 * - `{ path: 'invoke-api', clouds: {<cloud>: <url>}, fromHeader }`: through the local clouds'
 *   Lambda Invoke API, as Step Functions invokes Lambda; the coordinator sits on `home` and says
 *   so in `fromHeader`, so another cloud adds its one-way latency each way;
 * - `{ path: 'plain-workers', workers: {<cloud>: <url>} }`: the reference, a POST to a plain
 *   worker process per cloud (through a latency proxy across clouds).
 * The driver deploys the functions and tells `/deploy` each function's name.
 */
const config = z
  .object({
    db: z.string(),
    fsync: z.boolean(),
    home: z.string(),
    chainStep: z.string(),
    steps: z.discriminatedUnion('path', [
      z.object({
        path: z.literal('invoke-api'),
        clouds: z.record(z.string(), z.string()),
        fromHeader: z.string(),
      }),
      z.object({ path: z.literal('plain-workers'), workers: z.record(z.string(), z.string()) }),
    ]),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

/** A synchronous invoke refused at the concurrency limit is retried like Step Functions' Retry on Lambda.TooManyRequestsException: backoff from 50 ms, doubling, at most 1 s. */
const THROTTLE_RETRIES = 20;

const history = openHistoryStore(config.db, config.fsync);
const workflows = new Map<string, WorkflowIR>();
/** `<workflow>/<function>` → the name the step is invoked by (set by `/deploy`). */
const functionNames = new Map<string, string>();
let executionCounter = 0;

const stepResult = z.union([
  z.object({ output: z.unknown(), durationMs: z.number() }),
  z.object({ error: z.string() }),
]);

/** What one execution ran, for the driver's cost model: each step's handler time and the transitions. */
interface Tally {
  steps: { cloud: string; memoryMb: number; durationMs: number }[];
  transitions: number;
}

async function invokeStep(
  cloud: string,
  name: string,
  execution: string,
  instance: string,
  input: unknown,
  tally: Tally,
  memoryMb: number,
) {
  const result = stepResult.parse(await callStep(cloud, name, { execution, instance, input }));
  if ('error' in result) throw new Error(`step ${name} failed: ${result.error}`);
  tally.steps.push({ cloud, memoryMb, durationMs: result.durationMs });
  return result.output;
}

/** The step's answer: `{output, durationMs}` or `{error}`. */
async function callStep(cloud: string, name: string, event: unknown): Promise<unknown> {
  const steps = config.steps;
  if (steps.path === 'plain-workers') {
    const worker = steps.workers[cloud] ?? steps.workers[config.home];
    if (!worker) throw new Error(`BENCH_NO_WORKER: no worker for cloud ${cloud}`);
    return (await postJson(`${worker}/run/${encodeURIComponent(name)}`, event)).body;
  }
  const url = steps.clouds[cloud];
  if (!url) throw new Error(`BENCH_NO_CLOUD: no local cloud ${cloud}`);
  for (let attempt = 0; ; attempt += 1) {
    const answer = await invokeLambda(url, name, event, 'RequestResponse', {
      [steps.fromHeader]: config.home,
    });
    if (answer.status === 429 && attempt < THROTTLE_RETRIES) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      continue;
    }
    if (answer.status !== 200) {
      throw new Error(
        `step ${name} on ${cloud}: Invoke answered ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
    if (answer.functionError !== undefined) return { error: JSON.stringify(answer.body) };
    return answer.body;
  }
}

const entered = (state: string): HistoryEvent[] => [
  { type: 'TaskStateEntered', state },
  { type: 'TaskScheduled', state },
];
const exited = (state: string, output: unknown): HistoryEvent[] => [
  { type: 'TaskSucceeded', state, detail: output },
  { type: 'TaskStateExited', state },
];

const chainRequest = z.object({ clouds: z.array(z.string()).min(1), payload: z.unknown() });

async function runChain(request: z.infer<typeof chainRequest>) {
  const execution = `chain-${process.pid}-${executionCounter++}`;
  history.startExecution(execution, request.payload);
  history.appendTransition(execution, entered('step0'));
  let value = request.payload;
  const tally: Tally = { steps: [], transitions: 0 };
  for (const [index, cloud] of request.clouds.entries()) {
    value = await invokeStep(cloud, config.chainStep, execution, `step${index}`, value, tally, 128);
    const next = index + 1 < request.clouds.length ? entered(`step${index + 1}`) : [];
    history.appendTransition(execution, [...exited(`step${index}`, value), ...next]);
  }
  history.finishExecution(execution, value);
  return value;
}

const workflowRequest = z.object({ workflow: z.string(), input: z.unknown() });

async function runWorkflow(request: z.infer<typeof workflowRequest>) {
  const ir = workflows.get(request.workflow);
  if (!ir) throw new Error(`BENCH_NOT_DEPLOYED: deploy ${request.workflow} first`);
  const execution = `${ir.workflow}-${process.pid}-${executionCounter++}`;
  history.startExecution(execution, request.input);
  history.appendTransition(execution, entered(ir.start));
  const tally: Tally = { steps: [], transitions: 0 };
  const output = await interpretWorkflow(ir, request.input, {
    runTask: (fn, instance, input) =>
      invokeStep(
        fn.cloud,
        functionNames.get(`${ir.workflow}/${fn.name}`) ?? fn.name,
        execution,
        instance,
        input,
        tally,
        fn.memoryMb,
      ),
    onTransition: async (transition) => {
      tally.transitions += 1;
      history.appendTransition(execution, [
        ...exited(transition.instance, transition.output),
        ...transition.next.flatMap(entered),
      ]);
    },
  });
  history.finishExecution(execution, output);
  return { output, tally };
}

const deployRequest = z.object({
  ir: z.custom<WorkflowIR>((v) => typeof v === 'object' && v !== null),
  /** The name to invoke per function of the IR (functions without code run nothing). */
  functions: z.record(z.string(), z.string()),
});
function deploy(request: z.infer<typeof deployRequest>) {
  for (const [fn, name] of Object.entries(request.functions)) {
    functionNames.set(`${request.ir.workflow}/${fn}`, name);
  }
  workflows.set(request.ir.workflow, request.ir);
}

async function route(req: http.IncomingMessage, res: http.ServerResponse) {
  const body = await readJsonBody(req);
  switch (req.url) {
    case '/deploy':
      deploy(deployRequest.parse(body));
      sendJson(res, 200, { ok: true });
      return;
    case '/executions/chain':
      sendJson(res, 200, {
        output: await runChain(chainRequest.parse(body)),
        writes: history.writes(),
      });
      return;
    case '/executions/workflow':
      sendJson(res, 200, {
        ...(await runWorkflow(workflowRequest.parse(body))),
        writes: history.writes(),
      });
      return;
    default:
      sendJson(res, 404, { code: 'BENCH_NOT_FOUND', message: req.url });
  }
}

const server = http.createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    sendJson(res, 500, { code: 'BENCH_COORDINATOR_FAILED', message: String(error) });
  });
});
server.keepAliveTimeout = 60_000;
const port = await listenLoopback(server);
process.on('SIGTERM', () => {
  history.close();
  process.exit(0);
});
announceReady({ port });
