import { type Command, defineCommand } from '../command';
import { apiFlag, connectApi, describeApiFailure } from './deploy';

export const cancelCommand: Command = defineCommand({
  name: 'cancel',
  summary: 'Cancel a running execution through the API',
  synopsis: ['<executionId> [--api <url>]'],
  positionals: { min: 1, max: 1, what: 'one execution id' },
  description: `Cancels a running execution: no step starts another, steps still running end at their next
commit, and the execution ends "cancelled" (final: it cannot be redriven).`,
  flags: { api: apiFlag },
  examples: ['jointflow cancel 3f0c9a4e-5b1d-4c1e-9a57-0d5e8c1b2a77'],
  exitCodes:
    '0 cancelled, 1 it had ended already (its status is printed) or the API failed,\n2 bad usage.',
  async run({ flags, positionals: [execution = ''] }) {
    const client = connectApi(flags.api === undefined ? {} : { api: flags.api });
    try {
      const { status } = await client.cancelExecution(execution);
      if (status === 'cancelled') {
        console.log(`execution ${execution}: cancelled`);
        return 0;
      }
      console.error(`jointflow cancel: execution ${execution} ${status} before the cancel`);
      return 1;
    } catch (error) {
      console.error(`jointflow cancel: ${describeApiFailure(error, client.url)}`);
      return 1;
    }
  },
});
