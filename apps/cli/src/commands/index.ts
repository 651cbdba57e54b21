import type { Command } from '../command';
import { compileCommand } from './compile';
import { runCommand } from './run';

/** Every subcommand, in the order `jointflow --help` lists them. One file per command. */
export const commands: Command[] = [compileCommand, runCommand];
