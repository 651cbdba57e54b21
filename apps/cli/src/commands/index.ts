import type { Command } from '../command';

/** Every subcommand, in the order `jointflow --help` lists them. One file per command. */
export const commands: Command[] = [];
