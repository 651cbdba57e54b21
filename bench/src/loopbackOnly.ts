import { spawn, spawnSync } from 'node:child_process';

/**
 * The benchmark may contact nothing outside loopback, but restate-server 1.7 asks
 * api.github.com for its latest release at every start (`check_if_latest_version`, spawned
 * unconditionally in its main; `disable-telemetry` only stops the telemetry ping, and no option
 * or environment variable turns the release check off). So the whole run re-executes itself in
 * a fresh network namespace that has only a loopback interface (`unshare --user --net`, no
 * root needed): every process of every system then sees 127.0.0.1 and nothing else, and the
 * release check fails at once without a packet leaving the machine.
 *
 * Returns how the network was isolated, for the results. When `unshare` is not usable the run
 * continues on the host network and says so.
 */
const MARKER = 'JF_BENCH_NETWORK';
const SHELL = 'ip link set lo up && exec "$@"';

export async function ensureLoopbackOnly(hostNetwork: boolean): Promise<string> {
  const already = process.env[MARKER];
  if (already) return already;
  if (hostNetwork) return 'host network (--host-network)';
  const probe = spawnSync(
    'unshare',
    ['--user', '--map-root-user', '--net', 'sh', '-c', SHELL, 'sh', 'true'],
    {
      stdio: 'ignore',
    },
  );
  if (probe.status !== 0) {
    return 'host network (unshare --user --net not available): restate-server tries api.github.com at start';
  }
  const network = 'loopback-only network namespace (unshare --user --map-root-user --net)';
  const child = spawn(
    'unshare',
    [
      '--user',
      '--map-root-user',
      '--net',
      'sh',
      '-c',
      SHELL,
      'sh',
      process.execPath,
      '--import',
      'tsx',
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, [MARKER]: network } },
  );
  const code = await new Promise<number>((resolve) =>
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
  );
  process.exit(code);
}
