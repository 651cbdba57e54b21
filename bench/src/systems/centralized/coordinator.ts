import http from 'node:http';
import type { WorkflowIR } from '@jointflow/ir';
import { z } from 'zod';
import { announceReady } from '../../childProcess';
import { listenLoopback, postJson, readJsonBody, sendJson } from '../../httpJson';
import { interpretWorkflow } from '../workflowInterpreter';
import { type HistoryEvent, openHistoryStore } from './historyStore';

/**
 * The centralized orchestrator baseline, in the style of AWS Step Functions Standard: one
 * coordinator process owns every execution. For each state it invokes the step synchronously
 * (RequestResponse) on the worker of the step's cloud, waits for the result, and appends the
 * transition to its history in one durable SQLite transaction before it starts the next state.
 * See bench/README.md for what is faithful and what is simplified.
 *
 * argv[2] is JSON: `{ db, fsync, home, workers: { <cloud>: <url> } }`. Workers on clouds other
 * than `home` are reached through a latency proxy set up by the driver.
 */
const config = z
  .object({
    db: z.string(),
    fsync: z.boolean(),
    home: z.string(),
    workers: z.record(z.string(), z.string()),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

const history = openHistoryStore(config.db, config.fsync);
const workflows = new Map<string, WorkflowIR>();
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
  const worker = config.workers[cloud] ?? config.workers[config.home];
  if (!worker) throw new Error(`BENCH_NO_WORKER: no worker for cloud ${cloud}`);
  const response = await postJson(`${worker}/run/${encodeURIComponent(name)}`, {
    execution,
    instance,
    input,
  });
  const result = stepResult.parse(response.body);
  if ('error' in result) throw new Error(`step ${name} failed: ${result.error}`);
  tally.steps.push({ cloud, memoryMb, durationMs: result.durationMs });
  return result.output;
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
    value = await invokeStep(cloud, 'mark', execution, `step${index}`, value, tally, 128);
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
        `${ir.workflow}/${fn.name}`,
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

async function deploy(ir: WorkflowIR) {
  for (const fn of Object.values(ir.functions)) {
    if (fn.code.trim() === '') continue;
    const worker = config.workers[fn.cloud] ?? config.workers[config.home];
    if (!worker) throw new Error(`BENCH_NO_WORKER: no worker for cloud ${fn.cloud}`);
    await postJson(`${worker}/deploy`, { name: `${ir.workflow}/${fn.name}`, code: fn.code });
  }
  workflows.set(ir.workflow, ir);
}

async function route(req: http.IncomingMessage, res: http.ServerResponse) {
  const body = await readJsonBody(req);
  switch (req.url) {
    case '/deploy':
      await deploy(z.custom<WorkflowIR>((v) => typeof v === 'object' && v !== null).parse(body));
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
