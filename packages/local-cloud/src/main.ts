import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createCloud } from './cloud';
import { cloudLog } from './cloudLog';
import { loadProfile } from './profiles';
import { startCloudServer } from './server';

/**
 * One local cloud as its own OS process:
 *
 *   node <tsx cli> packages/local-cloud/src/main.ts --profile <file> --dir <dataDir> \
 *     [--port 0] [--peers '{"aliyun-local":"http://127.0.0.1:4101"}'] [--durability fsync|os] \
 *     [--max-workers 6]
 *
 * (or JF_PROFILE, JF_DATA_DIR, JF_PORT, JF_PEERS, JF_DURABILITY, JF_MAX_WORKERS). When listening
 * it prints one JSON line `{"ready":true,"id":...,"url":...,"pid":...}` on stdout; everything else
 * goes to stderr. SIGTERM or SIGINT stops it cleanly; it also exits when its parent goes away.
 *
 * `/control/*` answers only `Authorization: Bearer <JF_CONTROL_SECRET>` (startLocalClouds sets a
 * fresh one per start, in the environment, never on the command line where `ps` shows it).
 * Started by hand without one, the cloud makes one and writes it to `<dataDir>/control-secret`.
 * Everything it creates is private to its user (umask 077: data directory 0700, files 0600).
 */

process.umask(0o077);
// Node's own warnings go through the log too, so stderr stays one record per line.
process.removeAllListeners('warning');
process.on('warning', (warning) => cloudLog().warn(warning.message, { warning: warning.name }));

const { values } = parseArgs({
  options: {
    profile: { type: 'string' },
    dir: { type: 'string' },
    port: { type: 'string' },
    peers: { type: 'string' },
    durability: { type: 'string' },
    'max-workers': { type: 'string' },
  },
});

const settings = z
  .object({
    profile: z.string().min(1, 'give --profile <file>'),
    dir: z.string().min(1, 'give --dir <dataDir>'),
    port: z.coerce.number().int().min(0).max(65535),
    peers: z.record(z.string(), z.string()),
    durability: z.enum(['fsync', 'os']),
    maxWorkers: z.coerce.number().int().min(1).max(256),
  })
  .safeParse({
    profile: values.profile ?? process.env.JF_PROFILE ?? '',
    dir: values.dir ?? process.env.JF_DATA_DIR ?? '',
    port: values.port ?? process.env.JF_PORT ?? '0',
    peers: JSON.parse(values.peers ?? process.env.JF_PEERS ?? '{}'),
    durability: values.durability ?? process.env.JF_DURABILITY ?? 'fsync',
    maxWorkers: values['max-workers'] ?? process.env.JF_MAX_WORKERS ?? '6',
  });

if (!settings.success) {
  cloudLog().error(
    `LOCAL_USAGE: ${settings.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  );
  process.exit(2);
}

const { profile: profileFile, dir, port, peers, durability, maxWorkers } = settings.data;
let controlSecret = process.env.JF_CONTROL_SECRET ?? '';
// Read once, then out of the environment: nothing this process starts should inherit it.
delete process.env.JF_CONTROL_SECRET;
if (controlSecret === '') {
  controlSecret = randomBytes(32).toString('base64url');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'control-secret'), `${controlSecret}\n`, { mode: 0o600 });
  cloudLog().info('control secret written', { file: join(dir, 'control-secret') });
}
const profile = loadProfile(profileFile);
const cloud = createCloud({ profile, dataDir: dir, durability, peers, maxWorkers });
const server = await startCloudServer(cloud, port, controlSecret);
cloud.setPeers({ [profile.id]: server.url });
process.stdout.write(
  `${JSON.stringify({ ready: true, id: profile.id, url: server.url, pid: process.pid })}\n`,
);

const log = cloudLog().child({ cloud: profile.id });
// Debug: `jointflow run` starts clouds for one execution, and `up` prints their URLs itself.
log.debug('cloud listening', { url: server.url, pid: process.pid, durability, maxWorkers });

process.on('unhandledRejection', (error) => {
  log.error('unhandled rejection', { error: error instanceof Error ? error : String(error) });
});

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  await cloud.close();
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
// Started with an IPC channel by startLocalClouds: when the parent dies, so do we.
process.on('disconnect', () => void stop(0));
