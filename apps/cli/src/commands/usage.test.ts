import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from './index';
import { jointflow, type Run, root } from './spawnCli';

/** Runs the CLI for each argument list, two at a time (the machine has 2 cores). */
async function all(argLists: string[][]): Promise<Run[]> {
  const runs: Run[] = new Array(argLists.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < argLists.length; i = next++) {
      runs[i] = await jointflow(...(argLists[i] ?? []));
    }
  };
  await Promise.all([lane(), lane()]);
  return runs;
}

describe('jointflow usage', () => {
  it('prints its version from apps/cli/package.json', async () => {
    const { version } = JSON.parse(
      readFileSync(join(root, 'apps', 'cli', 'package.json'), 'utf8'),
    ) as { version: string };
    const run = await jointflow('--version');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  }, 120_000);

  it('answers --help with every command, and every command answers --help', async () => {
    const names = commands.map((c) => c.name);
    const [top, ...each] = await all([['--help'], ...names.map((name) => [name, '--help'])]);
    expect(top?.status, top?.stderr).toBe(0);
    for (const name of names) expect(top?.stdout).toMatch(new RegExp(`^ {2}${name} `, 'm'));
    names.forEach((name, i) => {
      const run = each[i];
      expect(run?.status, `${name} --help: ${run?.stderr}`).toBe(0);
      expect(run?.stdout).toMatch(new RegExp(`^Usage: jointflow ${name} `));
      expect(run?.stdout).toContain('\nFlags:\n');
      expect(run?.stdout).toContain('-h, --help');
      expect(run?.stdout).toMatch(/\nExamples?:\n {2}jointflow /);
      expect(run?.stdout).toContain('\nExit codes: ');
      // Help is wrapped to fit a 100-column terminal.
      const wide = run?.stdout.split('\n').filter((line) => line.length > 100);
      expect(wide, name).toEqual([]);
    });
  }, 300_000);

  it('exits 2 naming an unknown flag or a bad value, for every command', async () => {
    const names = commands.map((c) => c.name);
    const unknown = await all(names.map((name) => [name, 'x.json', '--no-such-flag']));
    names.forEach((name, i) => {
      const run = unknown[i];
      expect(run?.status, `${name}: ${run?.stderr}`).toBe(2);
      expect(run?.stderr).toContain(
        `jointflow ${name}: CLI_UNKNOWN_FLAG: unknown flag --no-such-flag`,
      );
      expect(run?.stderr.trim().split('\n')).toHaveLength(1);
    });
    const bad = await all([
      ['up', '--port', '70000'],
      ['trace', 'ex', '--after', 'soon'],
      ['run', 'examples/iot-pipeline.json', '--seed', '1.5'],
      ['deploy', 'examples/iot-pipeline.json', '--api'],
      ['bench', '--suite', 'nonsense'],
      ['--bogus'],
      ['nonsense'],
    ]);
    expect(bad.map((r) => r.status)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(bad[0]?.stderr).toContain('CLI_BAD_VALUE: --port takes a port number from 0 to 65535');
    expect(bad[1]?.stderr).toContain('CLI_BAD_VALUE: --after takes a whole number');
    expect(bad[2]?.stderr).toContain('CLI_BAD_VALUE: --seed takes a whole number, not "1.5"');
    expect(bad[3]?.stderr).toContain('CLI_MISSING_VALUE: --api needs a value <url>');
    // The bench checks its suite names itself (bench/src/benchOptions.ts).
    expect(bad[4]?.stderr).toContain('BENCH_BAD_SUITE: unknown suite "nonsense"');
    expect(bad[5]?.stderr).toContain('CLI_UNKNOWN_FLAG: unknown flag --bogus');
    expect(bad[6]?.stderr).toContain('CLI_UNKNOWN_COMMAND: unknown command "nonsense"');
  }, 300_000);
});
