/** One CLI subcommand. `run` returns the process exit code (0 ok, 1 failed, 2 bad usage). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/** A usage mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  readonly code = 'CLI_USAGE';
}
