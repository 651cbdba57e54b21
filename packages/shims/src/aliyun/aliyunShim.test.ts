import { defaultCloudProfiles } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import type { ResolvedCloud } from '../cloudConfig';
import { credentialSourceOf, fcEndpointOf, placeholderCredentials } from './aliyunClients';
import {
  createAliyunShim,
  deployFingerprint,
  fcMemoryOf,
  fcTimeoutOf,
  functionStateOf,
} from './aliyunShim';

/**
 * The Aliyun shim's pure parts. Its calls to Function Compute run against the local cloud's FC
 * API in packages/local-cloud/src/aliyunShim.test.ts.
 */

const profile = defaultCloudProfiles[0];
if (profile === undefined) throw new Error('no default profile');

const ali = (
  fields: Partial<Extract<ResolvedCloud, { provider: 'aliyun' }>> = {},
): ResolvedCloud => ({
  id: 'ali',
  provider: 'aliyun',
  region: 'cn-hangzhou',
  accountId: '1234567890',
  endpoints: {},
  emulate: false,
  homeStore: 'aws',
  profile,
  ...fields,
});

describe('Function Compute settings', () => {
  it('rounds memory up to FC’s 64 MB steps (at least 128) and the timeout up to whole seconds', () => {
    expect([fcMemoryOf(64), fcMemoryOf(128), fcMemoryOf(200), fcMemoryOf(1024)]).toEqual([
      128, 128, 256, 1024,
    ]);
    expect([fcTimeoutOf(100), fcTimeoutOf(1000), fcTimeoutOf(30_500)]).toEqual([1, 1, 31]);
  });

  it('uses <account>.<region>.fc.aliyuncs.com unless the clouds file overrides the endpoint', () => {
    const real = ali();
    if (real.provider !== 'aliyun') throw new Error('unreachable');
    expect(fcEndpointOf(real)).toEqual({
      endpoint: '1234567890.cn-hangzhou.fc.aliyuncs.com',
      protocol: 'https',
    });
    const standIn = ali({ endpoints: { fc: 'http://127.0.0.1:4567' } });
    if (standIn.provider !== 'aliyun') throw new Error('unreachable');
    expect(fcEndpointOf(standIn)).toEqual({ endpoint: '127.0.0.1:4567', protocol: 'http' });
  });

  it('signs emulated clouds with placeholders and real ones through the default chain', async () => {
    expect(await credentialSourceOf({ emulate: true }).get()).toEqual(placeholderCredentials);
    const real = credentialSourceOf({ emulate: false });
    expect(Object.keys(real.openApi)).toEqual(['credential']);
  });
});

describe('deploy fingerprint', () => {
  const base = { memorySize: 256, timeout: 30, env: { A: '1', JF_TRACE_SECRET: 's3cr3t-value' } };
  const sha = 'a'.repeat(64);

  it('changes with the code and with every setting, and is stable otherwise', () => {
    const fingerprint = deployFingerprint(sha, base);
    expect(fingerprint).toMatch(/^jointflow:a{64}:[0-9a-f]{16}$/);
    expect(
      deployFingerprint(sha, { ...base, env: { JF_TRACE_SECRET: 's3cr3t-value', A: '1' } }),
    ).toBe(fingerprint);
    for (const other of [
      deployFingerprint('b'.repeat(64), base),
      deployFingerprint(sha, { ...base, memorySize: 512 }),
      deployFingerprint(sha, { ...base, timeout: 31 }),
      deployFingerprint(sha, { ...base, role: 'acs:ram::1:role/fn' }),
      deployFingerprint(sha, { ...base, env: { ...base.env, A: '2' } }),
    ]) {
      expect(other).not.toBe(fingerprint);
    }
  });

  it('holds no environment value (FC shows the description to anyone who can read the function)', () => {
    expect(deployFingerprint(sha, base)).not.toContain('s3cr3t');
    expect(deployFingerprint(sha, base).length).toBeLessThanOrEqual(256);
  });
});

describe('function state from GetFunction', () => {
  const description = `jointflow:${'c'.repeat(64)}:0123456789abcdef`;

  it('is ready when Active with no update in progress, with the code hash from the fingerprint', () => {
    expect(
      functionStateOf({ state: 'Active', lastUpdateStatus: 'Successful', description }),
    ).toEqual({
      state: 'ready',
      codeHash: 'c'.repeat(64),
    });
  });

  it('is deploying while Pending or while an update is InProgress', () => {
    expect(functionStateOf({ state: 'Pending' })).toEqual({
      state: 'deploying',
      detail: 'Pending',
    });
    expect(functionStateOf({ state: 'Active', lastUpdateStatus: 'InProgress' })).toEqual({
      state: 'deploying',
      detail: 'InProgress',
    });
  });

  it('is failed with FC’s reason and code when the function or its last update failed', () => {
    expect(
      functionStateOf({ state: 'Failed', stateReason: 'bad zip', stateReasonCode: 'InvalidZip' }),
    ).toEqual({ state: 'failed', reason: 'bad zip', code: 'InvalidZip' });
    expect(
      functionStateOf({
        state: 'Active',
        lastUpdateStatus: 'Failed',
        lastUpdateStatusReason: 'runtime refused',
      }),
    ).toEqual({ state: 'failed', reason: 'runtime refused' });
  });
});

describe('createAliyunShim', () => {
  it('is built only for aliyun clouds, and declares no local emulator controls', () => {
    const shim = createAliyunShim(ali(), [ali()]);
    expect([shim.id, shim.provider, shim.region, shim.local]).toEqual([
      'ali',
      'aliyun',
      'cn-hangzhou',
      undefined,
    ]);
    const aws = { ...ali(), provider: 'local' } as unknown as ResolvedCloud;
    expect(() => createAliyunShim(aws, [])).toThrow(/CLOUD_PROVIDER_MISMATCH/);
  });

  it('refuses a name Function Compute would refuse, before packaging', async () => {
    const shim = createAliyunShim(ali(), [ali()]);
    const fn = { name: 'step' } as Parameters<typeof shim.deploy>[0]['fn'];
    const context = { workflow: 'w', irVersion: 'v', resultStore: 'aws' };
    await expect(
      shim.deploy({ deployment: '1-starts-with-a-digit', context, fn, env: {} }),
    ).rejects.toThrow(
      /ALIYUN_DEPLOY_FAILED: "1-starts-with-a-digit--step" is not a valid Function Compute/,
    );
  });

  it('refuses to deploy functions that could not reach their own store (no functionRole)', async () => {
    const own = ali({
      homeStore: undefined,
      tablestore: { instance: 'i', table: 't' },
      bucket: 'bkt',
    });
    const shim = createAliyunShim(own, [own]);
    const fn = { name: 'step' } as Parameters<typeof shim.deploy>[0]['fn'];
    const context = { workflow: 'w', irVersion: 'v', resultStore: 'ali' };
    await expect(shim.deploy({ deployment: 'dep', context, fn, env: {} })).rejects.toThrow(
      /no "functionRole".*set "functionRole" in the clouds file/,
    );
  });

  it('names a missing home store in words a person can act on', () => {
    const shim = createAliyunShim(ali({ homeStore: 'nowhere' }), [ali({ homeStore: 'nowhere' })]);
    expect(() => shim.store()).toThrow(
      /CLOUDS_CONFIG_INVALID: cloud "ali" keeps its keys on "nowhere"/,
    );
  });
});
