import type { Command } from '../command';
import { benchCommand } from './bench';
import { cloudsCommand } from './clouds';
import { compileCommand } from './compile';
import { deployCommand } from './deploy';
import { importAslCommand } from './importAsl';
import { runCommand } from './run';
import { traceCommand } from './trace';
import { upCommand } from './up';

/** Every subcommand, in the order `jointflow --help` lists them. One file per command. */
export const commands: Command[] = [
  upCommand,
  compileCommand,
  importAslCommand,
  deployCommand,
  runCommand,
  traceCommand,
  cloudsCommand,
  benchCommand,
];
