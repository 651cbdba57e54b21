import { describeStoreConformance } from '@jointflow/runtime/testing';
import { createHttpStore } from '@jointflow/shims';
import { startTestClouds, type TestClouds } from './testClouds';

let clouds: TestClouds | undefined;

describeStoreConformance('local cloud (SQLite over HTTP)', {
  async setup() {
    clouds = await startTestClouds({ only: 'aws-local' });
    const cloud = clouds.local.clouds[0];
    if (cloud === undefined) throw new Error('the test cloud did not start');
    return { store: createHttpStore(cloud.url, 'aws-local') };
  },
  async teardown() {
    await clouds?.close();
  },
});
