// Plain JavaScript: e2e/run.mjs runs it with node, and the bench's fuzz command imports it too
// (types in upStack.d.mts).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

/**
 * Starts a whole stack, `jointflow up --port 0 --home <home>` (API, web app and local clouds on
 * loopback), in a process group of its own, and resolves once it printed its URL, with the
 * URL and the token it wrote to its home. Not a terminal, `up` prints the URL without the
 * token. Rejects with `<code>_STACK_TIMEOUT` when nothing was printed in `timeoutMs`, and with
 * `<code>_STACK_EXITED` when it exits first, each with what it printed.
 *
 * @example
 * const stack = await startUpStack({ home, code: 'E2E' });
 * try { await fetch(`${stack.url}/api/v1/health`); } finally { await stack.stop(); }
 */
export function startUpStack({ home, code, timeoutMs = 120_000, echoStderr = false }) {
  const child = spawn(
    process.execPath,
    [join(root, 'apps/cli/bin/jointflow.mjs'), 'up', '--port', '0', '--home', home],
    {
      cwd: root,
      env: { ...process.env, JOINTFLOW_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `${code}_STACK_TIMEOUT: \`jointflow up\` printed no URL and token within ${timeoutMs} ms:\n${output}`,
        ),
      );
    }, timeoutMs);
    let ready = false;
    const onData = (chunk) => {
      if (ready) return;
      output += chunk.toString();
      const url = /web:\s+(http:\/\/(?:127\.0\.0\.1|localhost):\d+)\//.exec(output);
      if (url?.[1] && /Press Ctrl-C/.test(output)) {
        ready = true;
        clearTimeout(timer);
        resolvePromise({
          child,
          url: url[1],
          token: readFileSync(join(home, 'token'), 'utf8').trim(),
          stop: () => stopGroup(child),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => {
      onData(chunk);
      if (echoStderr) process.stderr.write(chunk);
    });
    child.on('exit', (status) => {
      clearTimeout(timer);
      reject(new Error(`${code}_STACK_EXITED: \`jointflow up\` exited with ${status}:\n${output}`));
    });
  });
}

/** SIGTERM to the stack's process group, SIGKILL after 5 s; resolves when it exited. */
function stopGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      done();
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      done();
    }
  });
}
