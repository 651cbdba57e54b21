import { writeFileSync } from 'node:fs';
import { type Command, defineCommand } from '../command';
import { apiFlag, connectApi, describeApiFailure } from './deploy';

export const outputCommand: Command = defineCommand({
  name: 'output',
  summary: "Print or save a step instance's full output through the API",
  synopsis: ['<executionId> <instance> [--out <file>] [--api <url>]'],
  positionals: { min: 2, max: 2, what: 'an execution id and one instance' },
  description: `Prints one step instance's full committed output as JSON (an output stored as a blob is fetched
through the API, however large), or writes it to <file>. The instance is the key the run's events
name, e.g. score or score/map:resize=2.`,
  flags: {
    out: { type: 'string', value: '<file>', help: 'write the JSON to this file instead of stdout' },
    api: apiFlag,
  },
  examples: [
    'jointflow output 3f0c9a4e-5b1d-4c1e-9a57-0d5e8c1b2a77 score/map:resize=2 --out score.json',
  ],
  exitCodes:
    '0 printed, 1 no output (not committed, failed, closed) or the API failed, 2 bad usage.',
  async run({ flags, positionals: [execution = '', instance = ''] }) {
    const client = connectApi(flags.api === undefined ? {} : { api: flags.api });
    let text: string;
    try {
      text = await client.stepOutputText(execution, instance);
    } catch (error) {
      console.error(`jointflow output: ${describeApiFailure(error, client.url)}`);
      return 1;
    }
    if (flags.out === undefined) process.stdout.write(`${text}\n`);
    else {
      writeFileSync(flags.out, text);
      console.error(`jointflow output: wrote ${Buffer.byteLength(text)} bytes to ${flags.out}`);
    }
    return 0;
  },
});
