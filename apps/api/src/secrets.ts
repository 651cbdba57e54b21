import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * The API's two secrets, each a 0600 file in `JOINTFLOW_HOME`, created on first start: the API
 * token (Bearer for every endpoint but health) and the master key from which per-deployment
 * ingest secrets are derived. Neither is ever written to the database or a log.
 */
export interface Secrets {
  readonly token: string;
  /** The ingest secret of a deployment: `<deploymentId>.<hmac>` so ingest knows which one it is. */
  ingestSecret(deploymentId: string): string;
  /** The deployment an ingest secret belongs to, or undefined if it is not genuine. */
  verifyIngestSecret(secret: string): string | undefined;
  checkToken(candidate: string): boolean;
}

function readExisting(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const value = readFileSync(file, 'utf8').trim();
  return value === '' ? undefined : value;
}

/**
 * Reads the secret, or creates it. Several API processes may share one home and start at the
 * same moment: the value is written to a private temporary file and linked into place, which
 * fails if another process got there first (then its value is the one read), so every process
 * ends up with the same secret and no reader ever sees a half-written file.
 */
function readOrCreate(file: string, make: () => string): string {
  const existing = readExisting(file);
  if (existing !== undefined) return existing;
  if (existsSync(file)) rmSync(file, { force: true }); // an empty leftover
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  const value = make();
  writeFileSync(temporary, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600);
  try {
    linkSync(temporary, file);
    return value;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    const winner = readExisting(file);
    if (winner === undefined)
      throw new Error(`${file} exists but is empty; delete it and start again`);
    return winner;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function loadSecrets(home: string): Secrets {
  // The home holds the token, the master key and the database: this user's alone (as ~/.ssh).
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  const token = readOrCreate(join(home, 'token'), () => randomBytes(24).toString('base64url'));
  const masterKey = readOrCreate(join(home, 'master.key'), () => randomBytes(32).toString('hex'));
  const mac = (deploymentId: string) =>
    createHmac('sha256', masterKey).update(`ingest:${deploymentId}`).digest('base64url');
  return {
    token,
    ingestSecret: (deploymentId) => `${deploymentId}.${mac(deploymentId)}`,
    verifyIngestSecret(secret) {
      const dot = secret.lastIndexOf('.');
      if (dot <= 0) return undefined;
      const deploymentId = secret.slice(0, dot);
      return sameString(secret.slice(dot + 1), mac(deploymentId)) ? deploymentId : undefined;
    },
    checkToken: (candidate) => sameString(candidate, token),
  };
}
