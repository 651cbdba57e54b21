import { defaultCloudProfiles } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import type { ResolvedCloud } from '../cloudConfig';
import type { AwsResolvedCloud } from './awsClients';
import { awsPolicies } from './awsPolicies';

const profile = defaultCloudProfiles[0];
if (profile === undefined) throw new Error('no default profile');

const east: AwsResolvedCloud = {
  id: 'east',
  provider: 'aws',
  region: 'us-east-1',
  table: 'jf-east',
  bucket: 'jf-east-blobs',
  functionRole: 'arn:aws:iam::123456789012:role/jointflow-function',
  endpoints: {},
  emulate: false,
  profile: { ...profile, id: 'east' },
};
const west: AwsResolvedCloud = {
  ...east,
  id: 'west',
  region: 'eu-west-1',
  table: 'jf-west',
  bucket: 'jf-west-blobs',
  profile: { ...profile, id: 'west' },
};
const ali: ResolvedCloud = {
  id: 'ali',
  provider: 'aliyun',
  region: 'cn-hangzhou',
  accountId: '1',
  homeStore: 'east',
  endpoints: {},
  emulate: false,
  profile: { ...profile, id: 'ali' },
};

describe('awsPolicies', () => {
  it('grants the functions exactly the data-plane calls, on this deployment’s resources', () => {
    const { function: fn, functionTrust } = awsPolicies(east, [east, west, ali]);
    const byId = Object.fromEntries(fn.Statement.map((s) => [s.Sid, s]));
    expect(byId.JointflowStore?.Action.sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(byId.JointflowStore?.Resource).toEqual([
      'arn:aws:dynamodb:us-east-1:123456789012:table/jf-east',
      'arn:aws:dynamodb:eu-west-1:123456789012:table/jf-west',
    ]);
    expect(byId.JointflowBlobs?.Action).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(byId.JointflowBlobs?.Resource).toEqual([
      'arn:aws:s3:::jf-east-blobs/*',
      'arn:aws:s3:::jf-west-blobs/*',
    ]);
    expect(byId.JointflowInvoke?.Resource).toEqual([
      'arn:aws:lambda:us-east-1:123456789012:function:*--*',
      'arn:aws:lambda:eu-west-1:123456789012:function:*--*',
    ]);
    // Nothing account-wide, nothing beyond Allow.
    for (const s of fn.Statement) {
      expect(s.Effect).toBe('Allow');
      expect(s.Resource).not.toContain('*');
      expect(s.Action.some((a) => a.endsWith(':*'))).toBe(false);
    }
    expect(functionTrust.Statement[0]?.Principal.Service).toBe('lambda.amazonaws.com');
  });

  it('lets the deployer manage functions and pass only the function role, to Lambda only', () => {
    const { deployer } = awsPolicies(east);
    const byId = Object.fromEntries(deployer.Statement.map((s) => [s.Sid, s]));
    expect(byId.JointflowDeploy?.Action).toEqual(
      expect.arrayContaining([
        'lambda:CreateFunction',
        'lambda:UpdateFunctionCode',
        'lambda:GetFunction',
        'lambda:DeleteFunction',
      ]),
    );
    expect(byId.JointflowPassRole).toEqual({
      Sid: 'JointflowPassRole',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: ['arn:aws:iam::123456789012:role/jointflow-function'],
      Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    });
    expect(JSON.parse(JSON.stringify(deployer))).toEqual(deployer);
  });
});
