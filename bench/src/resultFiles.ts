import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MachineInfo } from './machine';

/** bench/results: raw JSON per suite and the SVG charts. */
export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
export const resultsMarkdownFile = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

export type SuiteName =
  | 'transition'
  | 'workflows'
  | 'scaling'
  | 'faults'
  | 'triggers'
  | 'federated-learning';

export interface SuiteResult<Data> {
  suite: SuiteName;
  mode: 'quick' | 'full';
  startedAt: string;
  durationMs: number;
  command: string;
  machine: MachineInfo;
  /** The 1/5/15-minute load average when the suite started and ended (the machine is shared). */
  load?: { atStart: number[]; atEnd: number[] };
  data: Data;
}

export function writeSuiteResult<Data>(result: SuiteResult<Data>): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = `${resultsDir}${result.suite}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function readSuiteResult<Data>(suite: SuiteName): SuiteResult<Data> | undefined {
  try {
    return JSON.parse(readFileSync(`${resultsDir}${suite}.json`, 'utf8')) as SuiteResult<Data>;
  } catch {
    return undefined;
  }
}

export function writeResultFile(name: string, text: string): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}${name}`, text);
}
