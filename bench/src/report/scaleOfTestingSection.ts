import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * Section 7: the soak and fuzz commands' last recorded runs (bench/src/soak.ts, fuzz.ts: they
 * are not suites of `npm run bench`, they write results/soak.json and results/fuzz.json).
 */

const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url));

const soakSchema = z.object({
  when: z.string(),
  partial: z.boolean().optional(),
  finished: z.number().optional(),
  loadAverage1m: z.number(),
  executions: z.number(),
  parallel: z.number(),
  seed: z.number(),
  killEvery: z.number(),
  restartEvery: z.number(),
  stallMs: z.number().optional(),
  faults: z.record(z.string(), z.number()),
  elapsedMs: z.number(),
  cloudKills: z.number(),
  apiRestarts: z.number(),
  byExample: z.record(
    z.string(),
    z.object({ runs: z.number(), failed: z.number(), wrong: z.number(), violations: z.number() }),
  ),
  problemCount: z.number(),
});

const fuzzSchema = z.object({
  when: z.string(),
  loadAverage1m: z.number(),
  requests: z.number(),
  elapsedMs: z.number(),
  byClass: z.record(z.string(), z.number()),
  errorCodes: z.record(z.string(), z.number()),
  serverErrors: z.number(),
  connectionErrors: z.number(),
  rssMb: z.record(z.string(), z.number()),
});

function read<T>(file: string, schema: z.ZodType<T>): T | undefined {
  const path = `${resultsDir}${file}`;
  if (!existsSync(path)) return undefined;
  const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

export function scaleOfTestingSection(lines: string[]): void {
  const soak = read('soak.json', soakSchema);
  const fuzz = read('fuzz.json', fuzzSchema);
  if (soak === undefined && fuzz === undefined) return;
  lines.push('## 7. Scale of testing: soak and fuzz', '');
  if (soak !== undefined) {
    const done = soak.finished ?? soak.executions;
    lines.push(
      `\`npx tsx bench/src/soak.ts\` (${soak.partial ? `stopped early: ${done} of ${soak.executions}` : `${done} executions`}, ${soak.parallel} at once, seed ${soak.seed}) at ${soak.when}, load average ${soak.loadAverage1m} at its end: the examples' chaos inputs through the API on real local clouds with every fault kind (${Object.entries(
        soak.faults,
      )
        .filter(([name]) => name !== 'seed')
        .map(([name, value]) => `${name} ${value}`)
        .join(
          ', ',
        )}), a cloud process killed with SIGKILL every ${soak.killEvery} executions (${soak.cloudKills} kills) and the API restarted every ${soak.restartEvery} (${soak.apiRestarts} restarts), watchdog stall time ${((soak.stallMs ?? 5000) / 1000).toFixed(0)} s; each execution checked against its fault-free result and by the history checker. ${(soak.elapsedMs / 1000).toFixed(0)} s in all; **${soak.problemCount} problems**.`,
      '',
      '| example | runs | failed | wrong result | history violations |',
      '|---|---|---|---|---|',
      ...Object.entries(soak.byExample).map(
        ([name, row]) =>
          `| ${name} | ${row.runs} | ${row.failed} | ${row.wrong} | ${row.violations} |`,
      ),
      '',
    );
  }
  if (fuzz !== undefined) {
    const codes = Object.entries(fuzz.errorCodes)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    lines.push(
      `\`npx tsx bench/src/fuzz.ts\` at ${fuzz.when}, load average ${fuzz.loadAverage1m}: ${fuzz.requests} generated bad requests across every route in ${(fuzz.elapsedMs / 1000).toFixed(0)} s; answers by class ${Object.entries(
        fuzz.byClass,
      )
        .map(([cls, n]) => `${cls} ${n}`)
        .join(
          ', ',
        )} (${codes}); **${fuzz.serverErrors} 5xx, ${fuzz.connectionErrors} connection errors**; the API's RSS ${Object.entries(
        fuzz.rssMb,
      )
        .map(([when, mb]) => `${when} ${mb} MB`)
        .join(', ')}.`,
      '',
    );
  }
}
