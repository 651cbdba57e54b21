import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsCloudConfig, ResolvedCloud } from '../cloudConfig';

/** An AWS cloud of a clouds file, resolved (profile, stand-in endpoints). */
export type AwsResolvedCloud = Extract<ResolvedCloud, { provider: 'aws' }>;

/**
 * What an emulated cloud signs its requests with. The stand-ins check no signature; these are
 * not secrets, and real clouds never use them (they take the SDK's default credential chain:
 * environment, shared credentials and config files, SSO, the Lambda role inside a function).
 */
export const placeholderCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

type ClientFields = Pick<AwsCloudConfig, 'region' | 'emulate' | 'endpoints'>;

function baseConfig(cloud: ClientFields, endpoint: string | undefined) {
  return {
    region: cloud.region,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(cloud.emulate ? { credentials: placeholderCredentials } : {}),
  };
}

/** A DynamoDB client for `cloud` (endpoint override and placeholder credentials when emulated). */
export function dynamoClientOf(cloud: ClientFields): DynamoDBClient {
  return new DynamoDBClient(baseConfig(cloud, cloud.endpoints.dynamodb));
}

/**
 * An S3 client for `cloud`. Against an endpoint override (s3rver) it uses path-style addressing
 * and sends checksums only where S3 requires them: s3rver understands neither virtual-hosted
 * buckets on 127.0.0.1 nor the SDK's default CRC32 trailers.
 */
export function s3ClientOf(cloud: ClientFields): S3Client {
  const endpoint = cloud.endpoints.s3;
  return new S3Client({
    ...baseConfig(cloud, endpoint),
    ...(endpoint !== undefined
      ? {
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
}

/** A Lambda client for `cloud` (a local cloud's Lambda API when emulated). */
export function lambdaClientOf(cloud: ClientFields): LambdaClient {
  return new LambdaClient(baseConfig(cloud, cloud.endpoints.lambda));
}
