import type { DataPlane } from '../function/dataPlaneDispatch';
import { type AwsResolvedCloud, dynamoClientOf, lambdaClientOf, s3ClientOf } from './awsClients';
import { createDynamoStore } from './dynamoStore';
import { createLambdaInvoker } from './lambdaInvoker';
import { createS3Blobs } from './s3Blobs';

function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) value = make();
    return value;
  };
}

/**
 * The data plane of an AWS cloud: DynamoDB store, S3 blobs, Lambda `Event` invoke. Clients are
 * built on first use and kept (one per container in a function).
 *
 * @example
 * const plane = awsDataPlane(cloud);
 * await plane.invokeAsync(invocation);
 */
export function awsDataPlane(cloud: AwsResolvedCloud): DataPlane {
  const invoke = lazy(() => createLambdaInvoker(lambdaClientOf(cloud)));
  return {
    store: lazy(() => createDynamoStore({ client: dynamoClientOf(cloud), table: cloud.table })),
    blobs: lazy(() => createS3Blobs({ client: s3ClientOf(cloud), bucket: cloud.bucket })),
    invokeAsync: (invocation) => invoke()(invocation),
  };
}
