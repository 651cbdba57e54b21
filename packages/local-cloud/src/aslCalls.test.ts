import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateFunctionCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { importAsl, type WorkflowIR } from '@jointflow/ir';
import { type AwsStandIns, type CloudShim, startAwsStandIns } from '@jointflow/shims';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsidePorts, runExecution } from './runExecution';
import { compileOrThrow, startTestClouds, type TestClouds } from './testClouds';

/**
 * Tasks imported from Step Functions that really call: a Lambda function ARN, the optimized
 * `lambda:invoke` and `dynamodb:putItem`, and `aws-sdk:dynamodb:getItem`. The generated step
 * code (@jointflow/ir's aslStepCode.ts) is bundled with its AWS SDK client by the cloud's bundler,
 * runs in a sandboxed worker, and calls a zip function through this cloud's Lambda Invoke API
 * and DynamoDB on dynalite. The clients find region, credentials and endpoints in the
 * deployment's environment (the SDK's standard chain), as they would in a real Lambda. And a
 * Wait read at run time: durable, the step after it held in this cloud's queue until due.
 */

const ACCOUNT_ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

const pricer = `
export async function handler(event) {
  if (event.qty < 0) throw new RangeError('qty must be >= 0, not ' + event.qty);
  return { price: event.qty * 3 };
}
`;

/** Written for this test from the Step Functions documentation. */
const definition = {
  Comment: 'price an order, store it once, read it back, refund part of it',
  StartAt: 'Price',
  States: {
    Price: {
      Type: 'Task',
      Resource: `${ACCOUNT_ARN}:pricer`,
      Parameters: { 'qty.$': '$.qty' },
      ResultPath: '$.quote',
      Next: 'Save',
    },
    Save: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: {
        TableName: 'orders',
        Item: { id: { 'S.$': '$.id' }, price: { 'N.$': 'States.JsonToString($.quote.price)' } },
        ConditionExpression: 'attribute_not_exists(id)',
      },
      ResultPath: null,
      Catch: [
        {
          ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
          ResultPath: '$.duplicate',
          Next: 'Already stored',
        },
      ],
      Next: 'Load',
    },
    'Already stored': { Type: 'Pass', Next: 'Load' },
    Load: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem',
      Parameters: { TableName: 'orders', Key: { id: { 'S.$': '$.id' } }, ConsistentRead: true },
      ResultSelector: { 'price.$': '$.Item.price.N' },
      ResultPath: '$.stored',
      Next: 'Refund',
    },
    Refund: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'pricer', Payload: { 'qty.$': '$.refundQty' } },
      ResultSelector: { 'price.$': '$.Payload.price', 'status.$': '$.StatusCode' },
      ResultPath: '$.refund',
      Catch: [{ ErrorEquals: ['RangeError'], ResultPath: '$.refundError', Next: 'Done' }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};

/** Every function of `ir` onto `shim` (one cloud, no replicas here). */
async function deployOnto(
  [shim]: CloudShim[],
  ir: WorkflowIR,
  deployment: string,
  env: Record<string, string>,
): Promise<void> {
  if (shim === undefined) throw new Error('no cloud');
  const context = { workflow: ir.workflow, irVersion: ir.version, resultStore: ir.resultStore };
  await Promise.all(
    Object.values(ir.functions).map((fn) => shim.deploy({ deployment, context, fn, env })),
  );
}

let t: TestClouds;
let standIns: AwsStandIns;
let ir: WorkflowIR;
let dynamo: DynamoDBClient;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

beforeAll(async () => {
  [t, standIns] = await Promise.all([startTestClouds({ only: 'aws-local' }), startAwsStandIns()]);
  const cloud = t.local.clouds[0];
  if (cloud === undefined) throw new Error('no cloud');
  dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: standIns.dynamodb, credentials });
  await dynamo.send(
    new CreateTableCommand({
      TableName: 'orders',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const lambda = new LambdaClient({ region: 'us-east-1', endpoint: cloud.url, credentials });
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'pricer',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/jointflow-test',
      Code: { ZipFile: Buffer.from(zipSync({ 'index.mjs': strToU8(pricer) })) },
      Timeout: 30,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: 'pricer' });

  const imported = importAsl(definition);
  expect(imported.diagnostics).toEqual([]);
  ir = compileOrThrow(imported.graph, t.profiles);
  await deployOnto([cloud.shim], ir, 'dasl', {
    ...t.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: standIns.dynamodb,
    AWS_ENDPOINT_URL_LAMBDA: cloud.url,
  });
}, 300_000);

afterAll(async () => {
  await t?.close();
  await standIns?.stop();
});

async function run(execution: string, input: unknown) {
  const shims = t.local.clouds.map((c) => c.shim);
  const { result } = await runExecution(outsidePorts(shims, t.local.peers), {
    ir,
    deployment: 'dasl',
    input,
    execution,
    stallMs: 10_000,
    timeoutMs: 120_000,
  });
  return result;
}

describe('imported Tasks that call AWS', () => {
  it('calls the Lambda function, puts and gets the DynamoDB item, and invokes through lambda:invoke', async () => {
    const result = await run('asl-calls-1', { id: 'o-1', qty: 4, refundQty: 2 });
    expect(result.status).toBe('succeeded');
    expect((result as { output: unknown }).output).toEqual({
      id: 'o-1',
      qty: 4,
      refundQty: 2,
      quote: { price: 12 },
      stored: { price: '12' },
      refund: { price: 6, status: 200 },
    });
    const item = await dynamo.send(
      new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'o-1' } }, ConsistentRead: true }),
    );
    expect(item.Item).toEqual({ id: { S: 'o-1' }, price: { N: '12' } });
  }, 180_000);

  it('names service and function errors as Step Functions does, so Catch matches them', async () => {
    const result = await run('asl-calls-2', { id: 'o-1', qty: 5, refundQty: -1 });
    expect(result.status).toBe('succeeded');
    const output = (result as { output: Record<string, { Error: string; Cause: string }> }).output;
    // The conditional put failed on dynalite: the first price stays.
    expect(output.duplicate?.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(output.stored).toEqual({ price: '12' });
    // The function threw: Error is its errorType, Cause its error answer (JSON).
    expect(output.refundError?.Error).toBe('RangeError');
    expect(JSON.parse(output.refundError?.Cause ?? '{}')).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'qty must be >= 0, not -1',
    });
  }, 180_000);

  it('holds the state after a durable Wait in the queue, not in a running step', async () => {
    const cloud = t.local.clouds[0];
    if (cloud === undefined) throw new Error('no cloud');
    const imported = importAsl({
      StartAt: 'Hold',
      States: {
        Hold: { Type: 'Wait', TimestampPath: '$.at', Next: 'Done' },
        Done: { Type: 'Pass', Result: 'done', ResultPath: '$.state', End: true },
      },
    });
    expect(imported.diagnostics).toEqual([]);
    const waitIr = compileOrThrow(imported.graph, t.profiles);
    await deployOnto([cloud.shim], waitIr, 'dwait', t.env);
    const due = Date.now() + 3_000;
    const at = new Date(due).toISOString();
    const { result } = await runExecution(outsidePorts([cloud.shim], t.local.peers), {
      ir: waitIr,
      deployment: 'dwait',
      input: { at },
      execution: 'asl-wait-1',
      stallMs: 10_000,
      timeoutMs: 60_000,
    });
    expect(result).toMatchObject({ status: 'succeeded', output: { at, state: 'done' } });
    const committed = (instance: string) =>
      t.collector
        .events()
        .find(
          (e) =>
            e.execution === 'asl-wait-1' && e.instance === instance && e.kind === 'step.succeeded',
        );
    // The Wait's step committed at once; the step after it ran only once the time had come.
    expect(committed('Hold')?.at).toBeLessThan(due - 1_000);
    expect(committed('Hold-after')?.at).toBeGreaterThanOrEqual(due);
  }, 120_000);
});
