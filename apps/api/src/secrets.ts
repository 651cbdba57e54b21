import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

function readOrCreate(file: string, make: () => string): string {
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value !== '') return value;
  }
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  // writeFileSync's mode is ignored when the file already existed (empty): enforce it.
  chmodSync(file, 0o600);
  return value;
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function loadSecrets(home: string): Secrets {
  mkdirSync(home, { recursive: true });
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
