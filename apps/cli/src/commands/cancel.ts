import { type Command, UsageError } from '../command';
import { connectApi, DEFAULT_API_URL, describeApiFailure } from './deploy';

const usage = `Usage: jointflow cancel <executionId> [--api <url>]
Cancels a running execution: no step starts another, steps still running end at their next
commit, and the execution ends "cancelled" (final: it cannot be redriven).
  --api    the API's URL (default $JOINTFLOW_API or ${DEFAULT_API_URL})
Exit codes: 0 cancelled, 1 it had ended already (its status is printed) or the API failed,
2 bad usage.`;

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'Cancel a running execution through the API',
  usage,
  async run(args) {
    let execution: string | undefined;
    let api: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === '--api') {
        api = args[++i];
        if (api === undefined) throw new UsageError(`--api needs a value. ${usage}`);
      } else if (arg?.startsWith('-')) throw new UsageError(`unknown option ${arg}. ${usage}`);
      else if (execution === undefined) execution = arg;
      else throw new UsageError(`one execution only. ${usage}`);
    }
    if (execution === undefined) throw new UsageError(`an execution id is needed. ${usage}`);
    const client = connectApi(api === undefined ? {} : { api });
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
};
