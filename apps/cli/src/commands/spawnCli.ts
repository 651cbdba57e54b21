import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * TEST HELPER (not part of the CLI): runs the real `jointflow` binary (real cloud processes, real
 * store) from the repository root and collects its output. Shared by the CLI's run tests.
 */

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const bin = join(root, 'apps', 'cli', 'bin', 'jointflow.mjs');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function jointflow(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
