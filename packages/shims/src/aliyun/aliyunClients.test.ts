import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clientPerCredentials, credentialSourceOf } from './aliyunClients';

/**
 * A real cloud's credentials come from @alicloud/credentials' default chain (the SDK's own
 * code, no network involved here): the environment first, then the credentials file.
 */

const names = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'ALIBABA_CLOUD_CREDENTIALS_FILE',
  'ALIBABA_CLOUD_CLI_PROFILE_DISABLED',
  'ALIBABA_CLOUD_PROFILE',
] as const;
const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
const dirs: string[] = [];

afterEach(() => {
  for (const name of names) {
    const value = saved[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function isolate() {
  for (const name of names) delete process.env[name];
  // Never read the machine's own ~/.aliyun/config.json in a test.
  process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = 'true';
}

describe('credentials of a real Aliyun cloud', () => {
  it('come from the environment (what Function Compute injects), STS token included', async () => {
    isolate();
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'STS.env-id';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'env-secret';
    process.env.ALIBABA_CLOUD_SECURITY_TOKEN = 'env-token';
    expect(await credentialSourceOf({ emulate: false }).get()).toEqual({
      accessKeyId: 'STS.env-id',
      accessKeySecret: 'env-secret',
      securityToken: 'env-token',
    });
  });

  it('come from the credentials file when the environment has none', async () => {
    isolate();
    const dir = mkdtempSync(join(tmpdir(), 'jf-aliyun-creds-'));
    dirs.push(dir);
    const file = join(dir, 'credentials');
    writeFileSync(
      file,
      '[default]\ntype = access_key\naccess_key_id = file-id\naccess_key_secret = file-secret\n',
    );
    process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = file;
    expect(await credentialSourceOf({ emulate: false }).get()).toEqual({
      accessKeyId: 'file-id',
      accessKeySecret: 'file-secret',
    });
  });

  it('builds one client per credential set and a new one when the STS token rotates', async () => {
    let token = 't1';
    const source = {
      openApi: {},
      get: async () => ({ accessKeyId: 'id', accessKeySecret: 's', securityToken: token }),
    };
    let built = 0;
    const client = clientPerCredentials(source, (c) => {
      built += 1;
      return { n: built, token: c.securityToken };
    });
    const a = await client();
    expect(await client()).toBe(a);
    token = 't2';
    const b = await client();
    expect(b).not.toBe(a);
    expect([built, b.token]).toEqual([2, 't2']);
  });
});
