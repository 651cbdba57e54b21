import type { ResolvedCloud } from '../cloudConfig';
import type { AwsResolvedCloud } from './awsClients';

/**
 * The least-privilege IAM policies for one AWS cloud, as printed by `jointflow clouds bootstrap`.
 * Every action listed is one the shim's code calls; nothing more.
 */

export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

export interface AwsPolicies {
  /** Attach to the functions' role (`functionRole`). */
  function: IamPolicy;
  /** The trust policy of the functions' role: Lambda may assume it. */
  functionTrust: {
    Version: '2012-10-17';
    Statement: {
      Effect: 'Allow';
      Principal: { Service: 'lambda.amazonaws.com' };
      Action: 'sts:AssumeRole';
    }[];
  };
  /** For whoever deploys, bootstraps and runs (the CLI or the API's credentials). */
  deployer: IamPolicy;
}

/** The account id in an ARN (`arn:aws:iam::123456789012:role/x`), or `*` when there is none. */
function accountOf(arn: string): string {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : '*';
}

function isAws(cloud: ResolvedCloud): cloud is AwsResolvedCloud {
  return cloud.provider === 'aws';
}

/**
 * Builds the policies for the functions and the deployer of `cloud`. `clouds` are the other
 * clouds of the same file: functions on `cloud` invoke functions on every AWS cloud (successors
 * and failover replicas) and use the table and bucket of their home store.
 *
 * Deployed function names are `<deployment>--<node>`, so the Lambda resources are
 * `function:*--*` in the cloud's region: Jointflow's functions, not the account's others.
 *
 * @example
 * console.log(JSON.stringify(awsPolicies(cloud, clouds).function, null, 2));
 */
export function awsPolicies(
  cloud: AwsResolvedCloud,
  clouds: ResolvedCloud[] = [cloud],
): AwsPolicies {
  const account = accountOf(cloud.functionRole);
  const awsClouds = [
    cloud,
    ...clouds.filter((c): c is AwsResolvedCloud => isAws(c) && c.id !== cloud.id),
  ];
  const home = awsClouds.find((c) => c.id === (cloud.homeStore ?? cloud.id)) ?? cloud;
  const tableArn = (c: AwsResolvedCloud) =>
    `arn:aws:dynamodb:${c.region}:${accountOf(c.functionRole)}:table/${c.table}`;
  const bucketArn = (c: AwsResolvedCloud) => `arn:aws:s3:::${c.bucket}`;
  const functionsArn = (c: AwsResolvedCloud) =>
    `arn:aws:lambda:${c.region}:${accountOf(c.functionRole)}:function:*--*`;
  const storeClouds = [
    ...new Map(
      [home, ...awsClouds.filter((c) => c.homeStore === undefined)].map((c) => [c.id, c]),
    ).values(),
  ];

  const dataPlane: IamStatement[] = [
    {
      Sid: 'JointflowStore',
      Effect: 'Allow',
      Action: [
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
        'dynamodb:BatchWriteItem',
      ],
      Resource: storeClouds.map(tableArn),
    },
    {
      Sid: 'JointflowBlobs',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: storeClouds.map((c) => `${bucketArn(c)}/*`),
    },
    {
      Sid: 'JointflowInvoke',
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      Resource: awsClouds.map(functionsArn),
    },
  ];

  return {
    function: {
      Version: '2012-10-17',
      Statement: [
        ...dataPlane,
        {
          Sid: 'JointflowLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [`arn:aws:logs:${cloud.region}:${account}:log-group:/aws/lambda/*--*:*`],
        },
      ],
    },
    functionTrust: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    },
    deployer: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'JointflowDeploy',
          Effect: 'Allow',
          Action: [
            'lambda:CreateFunction',
            'lambda:UpdateFunctionCode',
            'lambda:UpdateFunctionConfiguration',
            'lambda:GetFunction',
            'lambda:DeleteFunction',
            'lambda:PublishVersion',
          ],
          Resource: [functionsArn(cloud)],
        },
        {
          Sid: 'JointflowPassRole',
          Effect: 'Allow',
          Action: ['iam:PassRole'],
          Resource: [cloud.functionRole],
          Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
        },
        {
          Sid: 'JointflowBootstrapTable',
          Effect: 'Allow',
          Action: [
            'dynamodb:CreateTable',
            'dynamodb:DescribeTable',
            'dynamodb:DescribeTimeToLive',
            'dynamodb:UpdateTimeToLive',
          ],
          Resource: [tableArn(cloud)],
        },
        {
          Sid: 'JointflowBootstrapBucket',
          Effect: 'Allow',
          Action: ['s3:CreateBucket', 's3:ListBucket'],
          Resource: [bucketArn(cloud)],
        },
        // `jointflow clouds` health: one cheap Lambda call (ListFunctions has no resource scope).
        {
          Sid: 'JointflowHealth',
          Effect: 'Allow',
          Action: ['lambda:ListFunctions'],
          Resource: ['*'],
        },
        // Starting executions, reading results and closing them use the data plane too.
        ...dataPlane.map((s) => ({ ...s, Sid: `${s.Sid}Deployer` })),
      ],
    },
  };
}
