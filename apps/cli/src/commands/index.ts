import type { Command } from '../command';

/**
 * A subcommand by name, loaded on first use: `jointflow compile` then loads the IR package and
 * not the API, the clouds' SDKs or the local clouds (the whole graph took ~0.8 s to load compiled,
 * ~3.5 s through tsx). One file per command.
 */
export interface CommandEntry {
  name: string;
  load(): Promise<Command>;
}

/** Every subcommand, in the order `jointflow --help` lists them. */
export const commands: CommandEntry[] = [
  { name: 'up', load: async () => (await import('./up')).upCommand },
  { name: 'compile', load: async () => (await import('./compile')).compileCommand },
  { name: 'import-asl', load: async () => (await import('./importAsl')).importAslCommand },
  { name: 'deploy', load: async () => (await import('./deploy')).deployCommand },
  { name: 'run', load: async () => (await import('./run')).runCommand },
  { name: 'trace', load: async () => (await import('./trace')).traceCommand },
  { name: 'cancel', load: async () => (await import('./cancel')).cancelCommand },
  { name: 'output', load: async () => (await import('./output')).outputCommand },
  { name: 'clouds', load: async () => (await import('./clouds')).cloudsCommand },
  { name: 'bench', load: async () => (await import('./bench')).benchCommand },
];
