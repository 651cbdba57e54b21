import { readSuiteResult } from '../resultFiles';
import type { TriggersData } from '../suites/triggers';
import { ms, ratio } from './resultsMarkdown';

/** Section 5 of RESULTS.md: data triggers against the direct invoke and the join path. */
export function triggersSection(lines: string[]): void {
  const result = readSuiteResult<TriggersData>('triggers');
  lines.push('## 5. Data triggers', '');
  if (!result) {
    lines.push('Not run in this pass.', '');
    return;
  }
  const data = result.data;
  const load = result.machine.loadAverage.join(' / ');
  lines.push(
    `Jointflow (fsync, on the local clouds' invoke path) only: the baselines have no data triggers. Run \`${result.command}\` at ${result.startedAt}, load average at start ${load}; it took ${(result.durationMs / 1000).toFixed(0)} s (bench/src/suites/triggers.ts).`,
    '',
    '### Object arrival to target start',
    '',
    `One producer on the home cloud stamps the time as it emits its object (\`ctx.emit\`), the target stamps its own start (\`performance.timeOrigin + performance.now()\`, comparable across processes); the direct invoke is the same producer with an edge to a task. Each kind at its smallest (batch of 1, set of one key, 1 of 1, one group), so the difference is the trigger's committed decision (slot fill, or claim then slot) and the target's read of its record. ${data.latencyRuns} measured executions per path after 2 warm-ups, paths interleaved round by round.`,
    '',
    '| path | p50 ms | p99 ms | mean ms | p50 ÷ direct |',
    '|---|---|---|---|---|',
  );
  const direct = data.latency.find((row) => row.path === 'direct invoke')?.latency?.p50;
  for (const row of data.latency) {
    if (!row.latency) {
      lines.push(`| ${row.path} | failed: ${row.error ?? '?'} | | | |`);
      continue;
    }
    lines.push(
      `| ${row.path} | ${ms(row.latency.p50)} | ${ms(row.latency.p99)} | ${ms(row.latency.mean)} | ${ratio(row.latency.p50, direct)} |`,
    );
  }
  lines.push(
    '',
    `### ${data.fanInWidth.toLocaleString('en')}-way fan-in: batch trigger against the join path`,
    '',
    `Pheromone's parallel sleep (examples/parallel-sleep.json, every step on the home cloud): ${data.fanInWidth.toLocaleString('en')} sleepers of ${data.sleepMs} ms, gathered by a batch trigger (100 per run, each run then tallied and the tallies joined; or one batch of all ${data.fanInWidth.toLocaleString('en')}) or by one join (the join path). ${data.fanInRuns} measured run(s) per path after a warm-up run of 200 sleepers (the workers start). Store operations are the local clouds' counters (round trips by kind, the driver's result polls left out) per object, i.e. per sleeper.`,
    '',
    '| path | makespan ms | ÷ join | store ops per object (reads / cond. writes / slot fills / other writes) | total ÷ join | store ops per run | output |',
    '|---|---|---|---|---|---|---|',
  );
  const join = data.fanIn.find((row) => row.path === 'join');
  for (const row of data.fanIn) {
    if (row.error) {
      lines.push(`| ${row.path} | failed: ${row.error} | | | | | |`);
      continue;
    }
    const o = row.storeOpsPerObject;
    lines.push(
      `| ${row.path} | ${ms(row.makespanMs)} | ${ratio(row.makespanMs, join?.makespanMs)} | ${o ? `${o.total.toFixed(2)} (${o.reads.toFixed(2)} / ${o.conditionalWrites.toFixed(2)} / ${o.slotFills.toFixed(2)} / ${o.writes.toFixed(2)})` : '–'} | ${ratio(o?.total, join?.storeOpsPerObject?.total)} | ${row.storeOpsPerRun?.toFixed(0) ?? '–'} | ${row.outputOk ? 'correct' : 'WRONG'} |`,
    );
  }
  lines.push('');
}
