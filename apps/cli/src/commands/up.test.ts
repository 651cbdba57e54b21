import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'jointflow.mjs');

/** fetch, sent once more when the pooled socket it took was closed under it. */
function fetchAgain(url: string, init?: RequestInit): Promise<Response> {
  return fetch(url, init).catch((error: unknown) => {
    if (error instanceof TypeError) return fetch(url, init);
    throw error;
  });
}

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

  it('starts clouds and API with the examples, deploys and traces through it, stops on SIGINT', async () => {
    child = spawn(process.execPath, [bin, 'up', '--port', '0', '--no-web', '--home', home], {
      // Every record, the API's per-request ones and the clouds' debug ones included.
      env: { ...process.env, JOINTFLOW_LOG_LEVEL: 'debug' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output.text += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output.text += chunk.toString('utf8');
      stderr += chunk.toString('utf8');
    });
    const api = await waitFor(child, /api:\s+(http:\/\/127\.0\.0\.1:\d+)\/api\/v1/, output);
    await waitFor(child, /Press Ctrl-C/, output);
    // Not a terminal: the token is not printed, it waits in the home's 0600 file.
    expect(output.text).not.toMatch(/token=|token:/);
    const token = readFileSync(join(home, 'token'), 'utf8').trim();

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

    // deploy and trace through the running API, as a user would (token from JOINTFLOW_HOME).
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args, '--api', api], {
        env: { ...process.env, JOINTFLOW_HOME: home, JOINTFLOW_TOKEN: '' },
        encoding: 'utf8',
        // A safety net: a CLI process on a loaded 2-core box may take minutes.
        timeout: 300_000,
      });
    const examples = resolve(import.meta.dirname, '..', '..', '..', '..', 'examples');
    const deployed = cli('deploy', join(examples, 'iot-pipeline.json'), '--json');
    expect(deployed.status, deployed.stderr).toBe(0);
    const { deploymentId } = JSON.parse(deployed.stdout) as { deploymentId: string };
    // Progress went to stderr (stdout is the JSON document): a line per function as it deploys
    // and once it is ready, counted.
    expect(deployed.stderr).toContain(`deployment ${deploymentId}: 5 function(s) to deploy`);
    expect(deployed.stderr).toMatch(/ ingest +aws-local +deploying\n/);
    expect(deployed.stderr).toMatch(/ ready in \d+\.\d s \[5\/5\]\n/);
    // spawnSync blocked this process's event loop, so its pooled keep-alive socket may have
    // been closed by the API meanwhile ("other side closed"): send once more on a new one.
    const started = (await (
      await fetchAgain(`${api}/api/v1/deployments/${deploymentId}/executions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ input: { seed: 42, sensors: 5, readingsPerSensor: 8 } }),
      })
    ).json()) as { id: string };
    const traced = cli('trace', started.id);
    expect(traced.status, traced.stderr).toBe(0);
    expect(traced.stdout).toContain('execution.succeeded');
    expect(traced.stdout).toContain(`execution ${started.id} succeeded`);
    // run --api: deploy, start and follow in one command, through the same API.
    const ran = cli(
      'run',
      join(examples, 'iot-pipeline.json'),
      '--input',
      JSON.stringify({ seed: 42, sensors: 5, readingsPerSensor: 8 }),
      '--json',
    );
    expect(ran.status, ran.stderr).toBe(0);
    const report = JSON.parse(ran.stdout) as { status: string; result: unknown };
    expect(report.status).toBe('succeeded');
    expect(report.result).toMatchObject({ sensors: 5 });
    const badToken = spawnSync(process.execPath, [bin, 'trace', started.id, '--api', api], {
      env: { ...process.env, JOINTFLOW_TOKEN: 'wrong' },
      encoding: 'utf8',
    });
    expect(badToken.status).toBe(1);
    expect(badToken.stderr).toContain('API_UNAUTHORIZED');

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

    // stderr is not a terminal: every line the command, the API and the cloud processes logged
    // is one JSON record with time, level and msg, and none holds the token.
    const records = stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const record = JSON.parse(line) as Record<string, unknown>;
        expect(Object.keys(record).slice(0, 3), line).toEqual(['time', 'level', 'msg']);
        expect(['debug', 'info', 'warn', 'error']).toContain(record.level);
        expect(Number.isNaN(Date.parse(String(record.time)))).toBe(false);
        return record;
      });
    expect(stderr).not.toContain(token);
    const said = (component: string, msg: string) =>
      records.some((r) => r.component === component && String(r.msg).startsWith(msg));
    expect(said('up', 'Jointflow is up')).toBe(true);
    expect(said('api', 'api listening')).toBe(true);
    expect(said('local-cloud', 'cloud listening')).toBe(true);
    expect(said('up', 'SIGINT, stopping')).toBe(true);
    expect(said('api', 'request')).toBe(true);
    // A safety net, not a budget: four CLI processes and a stack start on a possibly busy box.
  }, 600_000);
});
