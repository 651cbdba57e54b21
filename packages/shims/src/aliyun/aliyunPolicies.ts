import type { ResolvedCloud } from '../cloudConfig';
import type { AliyunResolvedCloud } from './aliyunClients';

/**
 * The least-privilege RAM policies for one Aliyun cloud, for `jointflow clouds bootstrap` to
 * print. Every action listed is one the Aliyun shim's code calls; nothing more. (Written from
 * the RAM, FC 3.0, Tablestore and OSS documentation; never applied to an account here.)
 */

export interface RamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export interface RamPolicy {
  Version: '1';
  Statement: RamStatement[];
}

export interface AliyunPolicies {
  /** Attach to the functions' RAM role (`functionRole`). */
  function: RamPolicy;
  /** The trust policy of that role: Function Compute may assume it. */
  functionTrust: {
    Version: '1';
    Statement: {
      Effect: 'Allow';
      Action: 'sts:AssumeRole';
      Principal: { Service: ['fc.aliyuncs.com'] };
    }[];
  };
  /** For whoever deploys, bootstraps and runs (the CLI or the API's credentials). */
  deployer: RamPolicy;
  /** What RAM cannot grant: calls to another provider's cloud from these functions. */
  notes: string[];
}

/** What the Tablestore store calls (tablestoreStore.ts) — reads, conditional writes, seal/delete. */
export const TABLESTORE_DATA_ACTIONS = [
  'ots:GetRow',
  'ots:BatchGetRow',
  'ots:GetRange',
  'ots:PutRow',
  'ots:UpdateRow',
  'ots:BatchWriteRow',
];
/** What the OSS blob store calls (ossBlobs.ts). */
export const OSS_DATA_ACTIONS = ['oss:PutObject', 'oss:GetObject'];

function isAliyun(cloud: ResolvedCloud): cloud is AliyunResolvedCloud {
  return cloud.provider === 'aliyun';
}

/** Jointflow's functions on a cloud: deployed names are `<deployment>--<node>`. */
function functionsOf(cloud: AliyunResolvedCloud): string {
  return `acs:fc:${cloud.region}:${cloud.accountId}:functions/*--*`;
}

function storeStatements(cloud: AliyunResolvedCloud): RamStatement[] {
  const statements: RamStatement[] = [];
  if (cloud.tablestore !== undefined) {
    statements.push({
      Effect: 'Allow',
      Action: TABLESTORE_DATA_ACTIONS,
      Resource: [
        `acs:ots:${cloud.region}:${cloud.accountId}:instance/${cloud.tablestore.instance}/table/${cloud.tablestore.table}`,
      ],
    });
  }
  if (cloud.bucket !== undefined) {
    statements.push({
      Effect: 'Allow',
      Action: OSS_DATA_ACTIONS,
      Resource: [`acs:oss:*:${cloud.accountId}:${cloud.bucket}/*`],
    });
  }
  return statements;
}

/**
 * Builds the policies for the functions and the deployer of `cloud`. `clouds` are all clouds of
 * the file: functions on `cloud` invoke functions on every Aliyun cloud (successors and failover
 * replicas) and use the Tablestore tables and OSS buckets of every Aliyun cloud with a store
 * (a key's home store may be any of them).
 *
 * @example
 * console.log(JSON.stringify(aliyunPolicies(cloud, clouds).function, null, 2));
 */
export function aliyunPolicies(
  cloud: AliyunResolvedCloud,
  clouds: readonly ResolvedCloud[],
): AliyunPolicies {
  const aliyunClouds = [cloud, ...clouds.filter(isAliyun).filter((c) => c.id !== cloud.id)];
  const invoke: RamStatement = {
    Effect: 'Allow',
    Action: ['fc:InvokeFunction'],
    Resource: aliyunClouds.map(functionsOf),
  };
  const functionPolicy: RamPolicy = {
    Version: '1',
    Statement: [invoke, ...aliyunClouds.flatMap(storeStatements)],
  };

  const deployer: RamStatement[] = [
    {
      Effect: 'Allow',
      Action: [
        'fc:CreateFunction',
        'fc:UpdateFunction',
        'fc:GetFunction',
        'fc:DeleteFunction',
        'fc:InvokeFunction',
      ],
      Resource: [functionsOf(cloud)],
    },
    ...storeStatements(cloud),
  ];
  if (cloud.functionRole !== undefined) {
    deployer.push({ Effect: 'Allow', Action: ['ram:PassRole'], Resource: [cloud.functionRole] });
  }
  if (cloud.tablestore !== undefined) {
    deployer.push({
      Effect: 'Allow',
      Action: ['ots:CreateTable', 'ots:DescribeTable'],
      Resource: [
        `acs:ots:${cloud.region}:${cloud.accountId}:instance/${cloud.tablestore.instance}/table/${cloud.tablestore.table}`,
      ],
    });
  }
  if (cloud.bucket !== undefined) {
    deployer.push({
      Effect: 'Allow',
      Action: ['oss:PutBucket', 'oss:GetBucketInfo'],
      Resource: [`acs:oss:*:${cloud.accountId}:${cloud.bucket}`],
    });
  }

  const others = clouds.filter((c) => c.provider !== 'aliyun' && c.provider !== 'local');
  const notes = others.map(
    (other) =>
      `Functions on ${cloud.id} that invoke functions on ${other.id} (${other.provider}) or keep keys in its store need that provider's credentials in their environment (e.g. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY of a user with the policy 'jointflow clouds bootstrap ${other.id}' prints); RAM roles do not reach other providers, and Jointflow does not provision such credentials.`,
  );

  return {
    function: functionPolicy,
    functionTrust: {
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } },
      ],
    },
    deployer: { Version: '1', Statement: deployer },
    notes,
  };
}
