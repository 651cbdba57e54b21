import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'jointflow.mjs');

/** Resolves with the first group of `pattern` once the collected output matches it. */
async function waitFor(
  child: ChildProcess,
  pattern: RegExp,
  output: { text: string },
): Promise<string> {
  const until = Date.now() + 60_000;
  for (;;) {
    const match = pattern.exec(output.text);
    if (match) return match[1] ?? match[0];
    if (child.exitCode !== null) throw new Error(`exited early:\n${output.text}`);
    if (Date.now() > until) throw new Error(`no ${pattern} within 60 s:\n${output.text}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('jointflow up', () => {
  const home = mkdtempSync(join(tmpdir(), 'jf-up-'));
  let child: ChildProcess | undefined;

  afterAll(() => {
    // Only if the test failed half-way: the whole group this test started.
    if (child?.pid !== undefined && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('starts clouds and API, loads the examples, and stops cleanly on SIGINT', async () => {
    child = spawn(process.execPath, [bin, 'up', '--port', '0', '--no-web', '--home', home], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    const collect = (chunk: Buffer) => {
      output.text += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const api = await waitFor(child, /api:\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/, output);
    const token = await waitFor(child, /token:\s+(\S+)/, output);
    await waitFor(child, /Press Ctrl-C/, output);

    expect((await fetch(`${api}/api/v1/health`)).status).toBe(200);
    const listed = (await (
      await fetch(`${api}/api/v1/workflows`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { items: { name: string }[] };
    expect(listed.items.map((w) => w.name)).toContain('iot-pipeline');
    const clouds = (await (
      await fetch(`${api}/api/v1/clouds`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { items: { id: string; health: { ok: boolean } }[] };
    expect(clouds.items.map((c) => [c.id, c.health.ok]).sort()).toEqual([
      ['aliyun-local', true],
      ['aws-local', true],
    ]);

    const pid = child.pid;
    if (pid === undefined) throw new Error('no pid');
    // Ctrl-C reaches the whole foreground process group.
    process.kill(-pid, 'SIGINT');
    // The bin wrapper dies with the signal; what matters is that `up` stops everything it
    // started (clouds, workers) and the group empties.
    const until = Date.now() + 20_000;
    while (groupAlive(pid) && Date.now() < until) {
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    expect(groupAlive(pid)).toBe(false);
    expect(output.text).toContain('SIGINT, stopping');
    await expect(fetch(`${api}/api/v1/health`)).rejects.toThrow();
  });
});
