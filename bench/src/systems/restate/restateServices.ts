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
 *   `steps<c>`, a map is a fan-out of calls awaited together, a join is what awaits them.
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
      return handler(request.input, baselineContext(request.workflow, request.instance));
    },
  },
});

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
      return interpretWorkflow(ir, request.input, {
        runTask: (fn: FunctionIR, instance, input) =>
          ctx.genericCall({
            service: `steps${cloudIndexOf(fn.cloud)}`,
            method: 'run',
            parameter: { workflow: ir.workflow, fn: fn.name, instance, input },
            inputSerde: json,
            outputSerde: json,
          }),
        // Restate journals every call itself; the orchestrator adds nothing of its own.
        onTransition: async () => {},
      });
    },
  },
});

const services = config.home ? [chain, steps, flow] : [chain, steps];
const server = http2.createServer(restate.createEndpointHandler({ services }));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('no port');
announceReady({ port: address.port });
