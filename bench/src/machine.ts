import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The machine and software a run measured, written into every result file and RESULTS.md. */
export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGb: number;
  os: string;
  node: string;
  /** Versions of the peers and the pieces under test. */
  versions: Record<string, string>;
  /** Load average when the run started: a busy machine makes absolute numbers noisy. */
  loadAverage: number[];
}

function packageVersion(name: string): string {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    const parsed = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
    return typeof parsed.version === 'string' ? parsed.version : 'unknown';
  } catch {
    return 'not installed';
  }
}

export function describeMachine(extraVersions: Record<string, string> = {}): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions: {
      '@restatedev/restate-server': packageVersion('@restatedev/restate-server'),
      '@restatedev/restate-sdk': packageVersion('@restatedev/restate-sdk'),
      'better-sqlite3': packageVersion('better-sqlite3'),
      ...extraVersions,
    },
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
