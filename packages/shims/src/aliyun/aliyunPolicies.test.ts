import { defaultCloudProfiles } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import type { ResolvedCloud } from '../cloudConfig';
import { tablestoreTableSpec } from './aliyunBootstrap';
import type { AliyunResolvedCloud } from './aliyunClients';
import { TableStore } from './aliyunClients';
import { aliyunPolicies, OSS_DATA_ACTIONS, TABLESTORE_DATA_ACTIONS } from './aliyunPolicies';

const profile = defaultCloudProfiles[0];
if (profile === undefined) throw new Error('no default profile');

const hz: AliyunResolvedCloud = {
  id: 'hz',
  provider: 'aliyun',
  region: 'cn-hangzhou',
  accountId: '111',
  tablestore: { instance: 'jf-inst', table: 'jointflow' },
  bucket: 'jf-blobs',
  functionRole: 'acs:ram::111:role/jointflow-fn',
  endpoints: {},
  emulate: false,
  profile,
};
const sh: AliyunResolvedCloud = {
  id: 'sh',
  provider: 'aliyun',
  region: 'cn-shanghai',
  accountId: '111',
  homeStore: 'hz',
  endpoints: {},
  emulate: false,
  profile,
};
const aws = {
  id: 'aws',
  provider: 'aws',
  region: 'us-east-1',
  table: 'jointflow',
  bucket: 'b',
  functionRole: 'arn:aws:iam::123456789012:role/r',
  endpoints: {},
  emulate: false,
  profile,
} as ResolvedCloud;

describe('aliyunPolicies', () => {
  it('lets functions invoke every Aliyun cloud’s Jointflow functions and use every Aliyun store', () => {
    const policy = aliyunPolicies(sh, [hz, sh, aws]).function;
    expect(policy.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['fc:InvokeFunction'],
        Resource: [
          'acs:fc:cn-shanghai:111:functions/*--*',
          'acs:fc:cn-hangzhou:111:functions/*--*',
        ],
      },
      {
        Effect: 'Allow',
        Action: TABLESTORE_DATA_ACTIONS,
        Resource: ['acs:ots:cn-hangzhou:111:instance/jf-inst/table/jointflow'],
      },
      { Effect: 'Allow', Action: OSS_DATA_ACTIONS, Resource: ['acs:oss:*:111:jf-blobs/*'] },
    ]);
  });

  it('gives the deployer the FC control plane, PassRole on the role, the store and its bootstrap', () => {
    const deployer = aliyunPolicies(hz, [hz]).deployer.Statement;
    expect(deployer.flatMap((s) => s.Action)).toEqual([
      'fc:CreateFunction',
      'fc:UpdateFunction',
      'fc:GetFunction',
      'fc:DeleteFunction',
      'fc:InvokeFunction',
      ...TABLESTORE_DATA_ACTIONS,
      ...OSS_DATA_ACTIONS,
      'ram:PassRole',
      'ots:CreateTable',
      'ots:DescribeTable',
      'oss:PutBucket',
      'oss:GetBucketInfo',
    ]);
    expect(deployer.find((s) => s.Action.includes('ram:PassRole'))?.Resource).toEqual([
      'acs:ram::111:role/jointflow-fn',
    ]);
  });

  it('lets Function Compute assume the role, and says plainly what RAM cannot grant', () => {
    const policies = aliyunPolicies(sh, [hz, sh, aws]);
    expect(policies.functionTrust.Statement[0]?.Principal.Service).toEqual(['fc.aliyuncs.com']);
    expect(policies.notes).toHaveLength(1);
    expect(policies.notes[0]).toMatch(/aws \(aws\).*credentials/);
    expect(aliyunPolicies(hz, [hz, sh]).notes).toEqual([]);
  });
});

describe('Tablestore table bootstrap', () => {
  it('asks for string keys pk and sk, one version, no table-wide TTL (encodes with the SDK)', () => {
    const spec = tablestoreTableSpec('jointflow');
    expect(spec.tableMeta.primaryKey).toEqual([
      { name: 'pk', type: 'STRING' },
      { name: 'sk', type: 'STRING' },
    ]);
    expect(spec.tableOptions).toEqual({ timeToLive: -1, maxVersions: 1 });
    expect(() => TableStore.encoder.encode('createTable', spec)).not.toThrow();
  });
});
