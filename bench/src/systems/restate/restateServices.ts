import './promiseWithResolvers';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { FunctionIR, WorkflowIR } from '@jointflow/ir';
import { z } from 'zod';
import { announceReady } from '../../childProcess';
import { baselineContext, loadHandler, MARK_STEP_CODE } from '../../userCode';
import { interpretWorkflow } from '../workflowInterpreter';

/**
 * The Restate side of the benchmark: one service endpoint process per cloud, each step a
 * durable Restate handler, steps calling each other service-to-service.
 * - `chain<c>.step({ clouds, payload })`: the no-op step; calls the next step (on the cloud at
 *   the head of `clouds`) with `ctx.serviceClient`-style request-response and returns its result.
 * - `steps<c>.run({ workflow, fn, instance, input })`: runs one workflow step's user code.
 * - `flow.run({ workflow, input })` (home cloud only): the workflow written as Restate code. It
 *   walks the IR like a hand-written Restate handler would: each task is a durable call to
 *   `steps<c>`, a map is a fan-out of calls in flight together, all awaited through one
 *   `RestatePromise.race` loop (`callDriver`). Returns `{ output, tally }` (steps run, with
 *   their handler durations, and transitions) for the cost model.
 *
 * argv[2] is JSON `{ cloudIndex, home, clouds, workflowsFile? }`.
 */
const config = z
  .object({
    cloudIndex: z.number().int(),
    home: z.boolean(),
    clouds: z.array(z.string()),
    workflowsFile: z.string().optional(),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

const restate = await import('@restatedev/restate-sdk');
const json = restate.serde.json;

const workflows = new Map<string, WorkflowIR>();
if (config.workflowsFile) {
  for (const ir of JSON.parse(readFileSync(config.workflowsFile, 'utf8')) as WorkflowIR[]) {
    workflows.set(ir.workflow, ir);
  }
}
const cloudIndexOf = (cloud: string) => Math.max(0, config.clouds.indexOf(cloud));

const chainRequest = z.object({ clouds: z.array(z.number().int()), payload: z.unknown() });
const stepRequest = z.object({
  workflow: z.string(),
  fn: z.string(),
  instance: z.string(),
  input: z.unknown(),
});
const flowRequest = z.object({ workflow: z.string(), input: z.unknown() });

const mark = await loadHandler(MARK_STEP_CODE);

const chain = restate.service({
  name: `chain${config.cloudIndex}`,
  handlers: {
    step: async (
      ctx: import('@restatedev/restate-sdk').Context,
      body: unknown,
    ): Promise<unknown> => {
      const request = chainRequest.parse(body);
      const output = await mark(request.payload, baselineContext('restate', 'chain'));
      const [next, ...rest] = request.clouds;
      if (next === undefined) return output;
      return ctx.genericCall({
        service: `chain${next}`,
        method: 'step',
        parameter: { clouds: rest, payload: output },
        inputSerde: json,
        outputSerde: json,
      });
    },
  },
});

const steps = restate.service({
  name: `steps${config.cloudIndex}`,
  handlers: {
    run: async (
      _ctx: import('@restatedev/restate-sdk').Context,
      body: unknown,
    ): Promise<unknown> => {
      const request = stepRequest.parse(body);
      const fn = workflows.get(request.workflow)?.functions[request.fn];
      if (!fn) throw new restate.TerminalError(`unknown step ${request.workflow}/${request.fn}`);
      const handler = await loadHandler(fn.code);
      const started = performance.now();
      const output = await handler(
        request.input,
        baselineContext(request.workflow, request.instance),
      );
      // The handler's own duration rides back with the output: the cost model bills it.
      return { output, durationMs: performance.now() - started };
    },
  },
});

const stepReply = z.object({ output: z.unknown(), durationMs: z.number() });

/**
 * Awaits every outstanding durable call from ONE consumer. The SDK (1.17) lets only one await
 * make progress at a time ("awaitNext already pending" otherwise), so the concurrent branches of
 * a fan-out cannot each await their own call. Each call is registered here; one loop awaits
 * `RestatePromise.race` over all of them (the SDK's combinator), settles the winner, and yields a
 * macrotask so the branches it woke can issue their next calls before the next race.
 */
function callDriver() {
  type Pending = {
    promise: import('@restatedev/restate-sdk').RestatePromise<{ id: number; reply: unknown }>;
    resolve(value: unknown): void;
    reject(error: unknown): void;
  };
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let running = false;
  const loop = async () => {
    running = true;
    try {
      while (pending.size > 0) {
        const settled = await restate.RestatePromise.race(
          [...pending.values()].map((entry) => entry.promise),
        ).then(
          (value) => ({ value, error: undefined }),
          (error: unknown) => ({ value: undefined, error }),
        );
        if (settled.value) {
          const entry = pending.get(settled.value.id);
          pending.delete(settled.value.id);
          entry?.resolve(settled.value.reply);
        } else {
          for (const entry of pending.values()) entry.reject(settled.error);
          pending.clear();
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      running = false;
    }
  };
  return {
    call(promise: import('@restatedev/restate-sdk').RestatePromise<unknown>): Promise<unknown> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, {
          promise: promise.map((reply, failure) => {
            if (failure) throw failure;
            return { id, reply };
          }),
          resolve,
          reject,
        });
        if (!running) setImmediate(() => void loop());
      });
    },
  };
}

const flow = restate.service({
  name: 'flow',
  handlers: {
    run: async (
      ctx: import('@restatedev/restate-sdk').Context,
      body: unknown,
    ): Promise<unknown> => {
      const request = flowRequest.parse(body);
      const ir = workflows.get(request.workflow);
      if (!ir) throw new restate.TerminalError(`unknown workflow ${request.workflow}`);
      const driver = callDriver();
      const steps: { cloud: string; memoryMb: number; durationMs: number }[] = [];
      let transitions = 0;
      const output = await interpretWorkflow(ir, request.input, {
        runTask: async (fn: FunctionIR, instance, input) => {
          const reply = stepReply.parse(
            await driver.call(
              ctx.genericCall({
                service: `steps${cloudIndexOf(fn.cloud)}`,
                method: 'run',
                parameter: { workflow: ir.workflow, fn: fn.name, instance, input },
                inputSerde: json,
                outputSerde: json,
              }),
            ),
          );
          steps.push({ cloud: fn.cloud, memoryMb: fn.memoryMb, durationMs: reply.durationMs });
          return reply.output;
        },
        // Restate journals every call itself; the orchestrator adds nothing of its own.
        onTransition: async () => {
          transitions += 1;
        },
      });
      return { output, tally: { steps, transitions } };
    },
  },
});

const services = config.home ? [chain, steps, flow] : [chain, steps];
const server = http2.createServer(restate.createEndpointHandler({ services }));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('no port');
announceReady({ port: address.port });
