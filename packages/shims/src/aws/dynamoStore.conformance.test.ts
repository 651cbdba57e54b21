import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describeStoreConformance } from '@jointflow/runtime/testing';
import { type AwsStandIns, startAwsStandIns } from '../standIns';
import { dynamoClientOf } from './awsClients';
import { ensureDynamoTable } from './bootstrap';
import { createDynamoStore } from './dynamoStore';

/** The store conformance suite against the DynamoDB store, real SDK, dynalite stand-in. */

let standIns: AwsStandIns | undefined;
let client: DynamoDBClient | undefined;

describeStoreConformance('DynamoDB (dynalite)', {
  async setup() {
    standIns = await startAwsStandIns();
    client = dynamoClientOf({
      region: 'us-east-1',
      emulate: true,
      endpoints: { dynamodb: standIns.dynamodb },
    });
    await ensureDynamoTable(client, 'jf-conformance');
    return { store: createDynamoStore({ client, table: 'jf-conformance' }) };
  },
  async teardown() {
    client?.destroy();
    await standIns?.stop();
  },
});
