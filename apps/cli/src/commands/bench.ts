import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command';

const usage = `Usage: jointflow bench [--quick] [--suite=transition,workflows,scaling,faults]

Runs the benchmarks in bench/ (the same as 'npm run bench'): Jointflow against the floor, a
centralized Step Functions-style orchestrator and Restate, side by side in one run. Writes
bench/results/*.json and regenerates bench/RESULTS.md. --quick finishes in a few minutes.`;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export const benchCommand: Command = {
  name: 'bench',
  summary: 'Run the benchmarks and regenerate bench/RESULTS.md',
  usage,
  run(args) {
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
    return new Promise((done) => {
      const child = spawn(process.execPath, [tsx, main, ...args], { cwd: root, stdio: 'inherit' });
      for (const signal of ['SIGINT', 'SIGTERM'] as const)
        process.on(signal, () => child.kill(signal));
      child.on('exit', (code) => done(code ?? 1));
    });
  },
};
