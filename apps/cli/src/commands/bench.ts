import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, defineCommand } from '../command';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export const benchCommand: Command = defineCommand({
  name: 'bench',
  summary: 'Run the benchmarks and regenerate bench/RESULTS.md',
  synopsis: ['[--quick] [--suite <names>] [--host-network]'],
  positionals: { min: 0, max: 0, what: 'no arguments, only flags' },
  description: `Runs the benchmarks in bench/ (the same as 'npm run bench'): Jointflow against the floor, a
centralized Step Functions-style orchestrator and Restate, side by side in one run. Writes
bench/results/*.json and regenerates bench/RESULTS.md. The suite names are checked by the bench
itself (bench/src/benchOptions.ts): an unknown one exits 2 with BENCH_BAD_SUITE.`,
  flags: {
    quick: {
      type: 'boolean',
      help: 'small sizes (a few minutes on 2 cores); default: the full run',
    },
    suite: {
      type: 'string',
      value: '<names>',
      help: 'a comma list of transition, workflows, scaling, faults, triggers, federated-learning; default: all',
    },
    'host-network': {
      type: 'boolean',
      help: 'run on the host network, not a loopback-only network namespace',
    },
  },
  examples: ['jointflow bench --quick --suite transition,workflows'],
  exitCodes: '0 done, 1 a suite failed, 2 bad usage.',
  run({ flags }) {
    const main = join(root, 'bench', 'src', 'main.ts');
    if (!existsSync(main)) {
      console.error(`jointflow bench: ${main} is missing; run it from a Jointflow checkout`);
      return Promise.resolve(2);
    }
    const tsx = join(
      dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
      'dist',
      'cli.mjs',
    );
    const args = [
      ...(flags.quick ? ['--quick'] : []),
      ...(flags.suite !== undefined ? [`--suite=${flags.suite}`] : []),
      ...(flags['host-network'] ? ['--host-network'] : []),
    ];
    return new Promise((done) => {
      const child = spawn(process.execPath, [tsx, main, ...args], { cwd: root, stdio: 'inherit' });
      for (const signal of ['SIGINT', 'SIGTERM'] as const)
        process.on(signal, () => child.kill(signal));
      child.on('exit', (code) => done(code ?? 1));
    });
  },
});
