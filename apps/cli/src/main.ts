import { processLogger } from '@jointflow/runtime/log';
import cliPackage from '../package.json' with { type: 'json' };
import { UsageError } from './command';
import { commands } from './commands/index';

// The AWS SDK warns once per process that its releases from January 2027 need Node 22; its
// versions are pinned (package.json), so the warning tells a user nothing they can act on.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'NodeVersionSupportWarning')
    processLogger({ component: 'cli' }).warn(warning.message, { warning: warning.name });
});

async function help(): Promise<string> {
  const loaded = await Promise.all(commands.map((c) => c.load()));
  const lines = loaded.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`);
  return [
    'Usage: jointflow <command> [flags]',
    '       jointflow --version | --help',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'jointflow <command> --help' for a command's flags and an example.",
    '',
    'Example:',
    '  jointflow run examples/iot-pipeline.json',
    '',
    'Logs: JOINTFLOW_LOG_LEVEL=debug|info|warn|error, JOINTFLOW_LOG_FORMAT=json|text',
    '(default: JSON lines unless stderr is a terminal).',
    'Exit codes: 0 success, 1 the workflow or execution failed, 2 bad usage.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version' || name === '-V') {
    console.log(cliPackage.version);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h') {
    if (name === undefined) {
      console.error(await help());
      return 2;
    }
    console.log(await help());
    return 0;
  }
  if (name.startsWith('-')) {
    console.error(
      `jointflow: CLI_UNKNOWN_FLAG: unknown flag ${name}; give a command first, see 'jointflow --help'`,
    );
    return 2;
  }
  const command = await commands.find((c) => c.name === name)?.load();
  if (!command) {
    console.error(
      `jointflow: CLI_UNKNOWN_COMMAND: unknown command "${name}"; run 'jointflow --help' for the list`,
    );
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`jointflow ${name}: ${error.code}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
