import { UsageError } from './command';
import { commands } from './commands/index';

// The AWS SDK warns once per process that its releases from January 2027 need Node 22; its
// versions are pinned (package.json), so the warning tells a user nothing they can act on.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'NodeVersionSupportWarning')
    console.error(`${warning.name}: ${warning.message}`);
});

async function help(): Promise<string> {
  const loaded = await Promise.all(commands.map((c) => c.load()));
  const lines = loaded.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`);
  return `Usage: jointflow <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'jointflow <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(await help());
    return name === undefined ? 2 : 0;
  }
  const command = await commands.find((c) => c.name === name)?.load();
  if (!command) {
    console.error(`jointflow: unknown command "${name}". Run 'jointflow --help' for the list.`);
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
      console.error(`jointflow ${name}: ${error.message}`);
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
