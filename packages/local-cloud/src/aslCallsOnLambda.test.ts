import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateFunctionCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { importAsl } from '@jointflow/ir';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outsidePorts, runExecution, stillQueuedOn } from './runExecution';
import { loadCloudsFile, type RunningClouds, startClouds } from './startClouds';
import { compileOrThrow, quickBehaviour } from './testClouds';

/**
 * The same imported calls as aslCalls.test.ts, deployed by the AWS shim: each step is packaged
 * into a Lambda zip (its AWS SDK client bundled into user.mjs by packageFunction), created with
 * @aws-sdk/client-lambda on the emulator's Lambda API and run in a zip sandbox, where the client
 * finds region, credentials and endpoints in the function's environment, as on AWS Lambda.
 */

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const definition = {
  StartAt: 'Price',
  States: {
    Price: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:asl-pricer',
      ResultPath: '$.quote',
      Next: 'Save',
    },
    Save: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:putItem',
      Parameters: {
        TableName: 'asl-orders',
        Item: { id: { 'S.$': '$.id' }, price: { 'N.$': 'States.JsonToString($.quote.price)' } },
      },
      ResultPath: null,
      End: true,
    },
  },
};

let running: RunningClouds;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'jf-asl-lambda-'));
  const file = loadCloudsFile(join(repo, 'examples', 'clouds', 'aws-emulated.json'));
  running = await startClouds({
    clouds: { clouds: file.clouds.slice(0, 1) },
    dataDir,
    behaviour: quickBehaviour,
    logs: 'ignore',
  });
}, 300_000);

afterAll(async () => {
  await running?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('imported Tasks that call AWS, packaged as Lambda functions', () => {
  it('invokes a Lambda function and puts a DynamoDB item from inside a Lambda zip', async () => {
    const cloud = running.resolved[0];
    if (cloud?.provider !== 'aws') throw new Error('no AWS cloud');
    const { lambda: lambdaUrl, dynamodb: dynamoUrl } = cloud.endpoints;
    if (lambdaUrl === undefined || dynamoUrl === undefined) throw new Error('no stand-ins');
    const region = cloud.region;
    const dynamo = new DynamoDBClient({ region, endpoint: dynamoUrl, credentials });
    await dynamo.send(
      new CreateTableCommand({
        TableName: 'asl-orders',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const lambda = new LambdaClient({ region, endpoint: lambdaUrl, credentials });
    const pricer = 'export async function handler(event) { return { price: event.qty * 3 }; }';
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'asl-pricer',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/jointflow-test',
        Code: { ZipFile: Buffer.from(zipSync({ 'index.mjs': strToU8(pricer) })) },
      }),
    );
    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 60 },
      { FunctionName: 'asl-pricer' },
    );

    const imported = importAsl(definition);
    expect(imported.diagnostics).toEqual([]);
    const ir = compileOrThrow(imported.graph, running.profiles);
    const shim = running.shims[0];
    if (shim === undefined) throw new Error('no shim');
    const context = { workflow: ir.workflow, irVersion: ir.version, resultStore: ir.resultStore };
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_ENDPOINT_URL_LAMBDA: lambdaUrl,
    };
    for (const fn of Object.values(ir.functions)) {
      await shim.deploy({ deployment: 'dasl', context, fn, env });
    }
    const { result } = await runExecution(outsidePorts(running.shims, running.peers), {
      ir,
      deployment: 'dasl',
      input: { id: 'o-7', qty: 5 },
      execution: 'asl-lambda-1',
      stallMs: 10_000,
      timeoutMs: 120_000,
      stillQueued: stillQueuedOn(running.emulators),
    });
    expect(result).toMatchObject({
      status: 'succeeded',
      output: { id: 'o-7', qty: 5, quote: { price: 15 } },
    });
    const item = await dynamo.send(
      new GetItemCommand({
        TableName: 'asl-orders',
        Key: { id: { S: 'o-7' } },
        ConsistentRead: true,
      }),
    );
    expect(item.Item).toEqual({ id: { S: 'o-7' }, price: { N: '15' } });
  }, 300_000);
});
