import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Helper processes of the benchmark (workers, the coordinator, the Restate services) are
 * TypeScript files run through tsx. Each prints one line `READY <json>` on stdout once it
 * listens; everything else it prints goes to our stderr so a failure is visible.
 */
export interface BenchChild<Ready> {
  ready: Ready;
  pid: number;
  /** Peak resident set size in bytes, read from /proc while the process lives. */
  peakRssBytes(): number;
  stop(): Promise<void>;
}

const READY_PREFIX = 'READY ';

/** Signals the parent that this helper process is up, with what the parent needs to reach it. */
export function announceReady(ready: unknown): void {
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(ready)}\n`);
}

/** Path of a sibling TypeScript file, for `startChild`. */
export function benchFile(relativeToSrc: string): string {
  return fileURLToPath(new URL(relativeToSrc, import.meta.url));
}

/**
 * Starts `file` with `node --import tsx` and resolves when it printed its READY line.
 * Rejects if it exits first or takes longer than `timeoutMs`.
 */
export async function startChild<Ready>(
  file: string,
  options: { args?: string[]; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<BenchChild<Ready>> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...options.env },
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`BENCH_CHILD_TIMEOUT: ${file} did not become ready`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith(READY_PREFIX)) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          child.stdout?.on('data', (rest: Buffer) => process.stderr.write(rest));
          resolve(JSON.parse(line.slice(READY_PREFIX.length)) as Ready);
          return;
        }
        process.stderr.write(`${line}\n`);
        newline = buffered.indexOf('\n');
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`BENCH_CHILD_EXITED: ${file} exited with ${code} before it was ready`));
    });
  });
  return wrapChild(child, ready);
}

/** Wraps an already running process (e.g. the Restate server binary). */
export function wrapChild<Ready>(child: ChildProcess, ready: Ready): BenchChild<Ready> {
  const pid = child.pid ?? -1;
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, readRssBytes(pid));
  };
  const sampler = setInterval(sample, 200);
  sampler.unref();
  return {
    ready,
    pid,
    peakRssBytes: () => {
      sample();
      return peak;
    },
    stop: async () => {
      clearInterval(sampler);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Peak resident set size (VmHWM) of a live process in bytes; 0 when it cannot be read. */
export function readRssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
