import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { placeholderCredentials } from './aws/awsClients';

/**
 * API-compatible stand-ins for AWS's data plane, started on loopback for tests and (later) for
 * the CLI when a clouds file says `emulate: true`: dynalite for DynamoDB (in memory) and s3rver
 * for S3 (files in a fresh temporary directory). Both listen on 127.0.0.1 with a port the
 * kernel picks, so parallel test files never collide.
 */

export interface AwsStandIns {
  /** DynamoDB API (dynalite), e.g. `http://127.0.0.1:41234`. */
  dynamodb: string;
  /** S3 API (s3rver), path-style only. */
  s3: string;
  /** Stops both servers and removes s3rver's directory. */
  stop(): Promise<void>;
}

// Neither package ships types: these are the few calls made here.
interface DynaliteOptions {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}
type Dynalite = (options: DynaliteOptions) => Server;
interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  resetOnClose?: boolean;
  allowMismatchedSignatures?: boolean;
}
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: S3rverOptions) => S3rverInstance;
interface S3rverAccounts {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}

const require = createRequire(import.meta.url);

function listen(server: Server): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/**
 * Starts dynalite (DynamoDB) and s3rver (S3) on 127.0.0.1, port 0 each.
 *
 * @example
 * const standIns = await startAwsStandIns();
 * const client = new DynamoDBClient({ endpoint: standIns.dynamodb, region: 'us-east-1', credentials: placeholderCredentials });
 * await standIns.stop();
 */
export async function startAwsStandIns(): Promise<AwsStandIns> {
  const dynalite = require('dynalite') as Dynalite;
  // Tables are ACTIVE at once: the bootstrap's waiter still runs, it just does not wait.
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoAddress = await listen(dynamo);

  const S3rver = require('s3rver') as S3rverClass;
  // s3rver knows one key pair (S3RVER); it also accepts the placeholder credentials every
  // emulated cloud signs with, so the same client configuration reaches every stand-in.
  const accounts = require('s3rver/lib/models/account') as S3rverAccounts;
  accounts.DUMMY_ACCOUNT.createKeyPair(
    placeholderCredentials.accessKeyId,
    placeholderCredentials.secretAccessKey,
  );
  const directory = mkdtempSync(join(tmpdir(), 'jointflow-s3rver-'));
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    resetOnClose: true,
  });
  let s3Address: AddressInfo;
  try {
    s3Address = await s3.run();
  } catch (error) {
    await close(dynamo);
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }

  return {
    dynamodb: `http://127.0.0.1:${dynamoAddress.port}`,
    s3: `http://127.0.0.1:${s3Address.port}`,
    async stop() {
      await Promise.allSettled([close(dynamo), s3.close()]);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
