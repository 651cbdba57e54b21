import { writeFileSync } from 'node:fs';
import { type Command, UsageError } from '../command';
import { connectApi, DEFAULT_API_URL, describeApiFailure } from './deploy';

const usage = `Usage: jointflow output <executionId> <instance> [--out <file>] [--api <url>]
Prints one step instance's full committed output as JSON (an output stored as a blob is fetched
through the API, however large), or writes it to <file>. The instance is the key the run's events
name, e.g. score or score/map:resize=2.
  --out    write the JSON to this file instead of stdout
  --api    the API's URL (default $JOINTFLOW_API or ${DEFAULT_API_URL})
Exit codes: 0 printed, 1 no output (not committed, failed, closed) or the API failed, 2 bad usage.`;

export const outputCommand: Command = {
  name: 'output',
  summary: "Print or save a step instance's full output through the API",
  usage,
  async run(args) {
    const positional: string[] = [];
    let api: string | undefined;
    let out: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === '--api' || arg === '--out') {
        const value = args[++i];
        if (value === undefined) throw new UsageError(`${arg} needs a value. ${usage}`);
        if (arg === '--api') api = value;
        else out = value;
      } else if (arg?.startsWith('-')) throw new UsageError(`unknown option ${arg}. ${usage}`);
      else if (arg !== undefined) positional.push(arg);
    }
    const [execution, instance, extra] = positional;
    if (execution === undefined || instance === undefined || extra !== undefined) {
      throw new UsageError(`an execution id and one instance are needed. ${usage}`);
    }
    const client = connectApi(api === undefined ? {} : { api });
    let text: string;
    try {
      text = await client.stepOutputText(execution, instance);
    } catch (error) {
      console.error(`jointflow output: ${describeApiFailure(error, client.url)}`);
      return 1;
    }
    if (out === undefined) process.stdout.write(`${text}\n`);
    else {
      writeFileSync(out, text);
      console.error(`jointflow output: wrote ${Buffer.byteLength(text)} bytes to ${out}`);
    }
    return 0;
  },
};
