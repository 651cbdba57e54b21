import type { ApiClient, EndOfStream } from '@jointflow/api';
import { type Command, defineCommand } from '../command';
import {
  apiFlag,
  connectApi,
  type DeployedViaApi,
  deployViaApi,
  describeApiFailure,
} from './deploy';

/** One line per trace event: sequence, time since the first event, kind, instance, cloud. */
export function formatTraceEvent(event: Record<string, unknown>, firstAt: number): string {
  const at = typeof event.at === 'number' ? event.at : firstAt;
  const duration = typeof event.durationMs === 'number' ? ` ${event.durationMs} ms` : '';
  const cost = typeof event.costUsd === 'number' ? ` $${event.costUsd.toPrecision(3)}` : '';
  const error =
    typeof event.error === 'object' && event.error !== null && 'message' in event.error
      ? `  ${String(event.error.message)}`
      : '';
  return `#${String(event.seq).padStart(4)} +${String(at - firstAt).padStart(6)} ms  ${String(event.kind).padEnd(20)} ${String(event.instance).padEnd(28)} ${String(event.cloud)}${duration}${cost}${error}`;
}

/**
 * Follows an execution's events over SSE until its end, calling `print` for every event.
 *
 * @example
 * const end = await followExecution(connectApi(), 'ex_0123456789abcdef', { print: console.log });
 */
export async function followExecution(
  client: ApiClient,
  execution: string,
  options: { print(line: string): void; json?: boolean; lastEventId?: number },
): Promise<EndOfStream | undefined> {
  let firstAt: number | undefined;
  return client.followEvents(execution, {
    ...(options.lastEventId !== undefined ? { lastEventId: options.lastEventId } : {}),
    onEvent(event) {
      if (options.json) {
        options.print(JSON.stringify(event));
        return;
      }
      if (firstAt === undefined && typeof event.at === 'number') firstAt = event.at;
      options.print(formatTraceEvent(event, firstAt ?? 0));
    },
  });
}

export interface RunViaApi {
  deployment: DeployedViaApi;
  execution: string;
  /** Undefined when the deployment failed (nothing ran) or the stream broke. */
  end?: EndOfStream;
}

/**
 * `jointflow run --api`: deploys through the API (a graph file or a workflow id), starts one
 * execution and follows its events to the end.
 *
 * @example
 * const run = await runViaApi(connectApi({ api }), 'examples/iot-pipeline.json', input, { print: console.log });
 * process.exitCode = run.end?.status === 'succeeded' ? 0 : 1;
 */
export async function runViaApi(
  client: ApiClient,
  target: string,
  input: unknown,
  options: { print(line: string): void; json?: boolean; onProgress?: (line: string) => void },
): Promise<RunViaApi | Omit<RunViaApi, 'execution'>> {
  const deployment = await deployViaApi(
    client,
    target,
    options.onProgress === undefined ? {} : { onProgress: options.onProgress },
  );
  if (deployment.status !== 'ready') return { deployment };
  const { id: execution } = await client.startExecution(deployment.deploymentId, input);
  const end = await followExecution(client, execution, options);
  return end === undefined ? { deployment, execution } : { deployment, execution, end };
}

export const traceCommand: Command = defineCommand({
  name: 'trace',
  summary: "Follow an execution's trace events live through the API",
  synopsis: ['<executionId> [--api <url>] [--json] [--after <seq>]'],
  positionals: { min: 1, max: 1, what: 'one execution id' },
  description: `Prints an execution's trace events as they happen (Server-Sent Events from the API), from the
start or after sequence number <seq>, and ends with the execution's result.`,
  flags: {
    api: apiFlag,
    json: { type: 'boolean', help: 'one JSON event per line, then the end record' },
    after: {
      type: 'integer',
      value: '<seq>',
      min: 0,
      help: 'resume after this sequence number (like Last-Event-ID)',
    },
  },
  examples: ['jointflow trace 3f0c9a4e-5b1d-4c1e-9a57-0d5e8c1b2a77 --after 120'],
  exitCodes: '0 the execution succeeded, 1 it failed or the stream broke, 2 bad usage.',
  async run({ flags, positionals: [execution = ''] }) {
    const json = flags.json === true;
    const client = connectApi(flags.api === undefined ? {} : { api: flags.api });
    let end: EndOfStream | undefined;
    try {
      end = await followExecution(client, execution, {
        print: (line) => console.log(line),
        json,
        ...(flags.after !== undefined ? { lastEventId: flags.after } : {}),
      });
    } catch (error) {
      console.error(`jointflow trace: ${describeApiFailure(error, client.url)}`);
      return 1;
    }
    if (end === undefined) {
      console.error(
        'jointflow trace: the stream ended before the execution did; run trace again to resume',
      );
      return 1;
    }
    if (json) console.log(JSON.stringify({ end }));
    else {
      console.log(`execution ${execution} ${end.status}`);
      if (end.result !== undefined) console.log(JSON.stringify(end.result, null, 2));
      if (end.error !== undefined) console.log(`error: ${end.error.message}`);
    }
    return end.status === 'succeeded' ? 0 : 1;
  },
});
