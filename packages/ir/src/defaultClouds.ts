import type { CloudProfile } from './cloudProfile';

/**
 * The two local clouds Jointflow starts by default, modelled on public platform figures:
 * `aws-local` on AWS Lambda (1 MB async payload as DESIGN.md uses, $0.20 per million requests,
 * $0.0000166667 per GB-second, 1 ms billing, DynamoDB on-demand prices for the store) and
 * `aliyun-local` on Aliyun Function Compute 3.0 (128 KB async payload, similar prices, Tablestore
 * for the store) with a `gpu` class four times faster. About 30 ms one way between them.
 *
 * This is their one definition: the local clouds (`loadProfileDir()` of @jointflow/local-cloud),
 * the compiler's tests, the CLI and the designer use these when no profile directory is given.
 * To change them, save edited copies as JSON files (one profile each, as `GET /api/v1/clouds`
 * answers them) in a directory and pass it with `--profiles <dir>`.
 */
export const defaultCloudProfiles: CloudProfile[] = [
  {
    id: 'aws-local',
    name: 'AWS Lambda (local)',
    provider: 'local',
    color: '#ff9900',
    limits: {
      asyncPayloadBytes: 1_048_576,
      syncPayloadBytes: 6_291_456,
      maxTimeoutMs: 900_000,
      maxMemoryMb: 10_240,
      concurrency: 100,
    },
    prices: {
      perRequest: 0.0000002,
      perGbSecond: 0.0000166667,
      billingGranularityMs: 1,
      storeRead: 0.00000025,
      storeWrite: 0.00000125,
      egressPerGb: 0.09,
    },
    behaviour: {
      coldStartMs: 250,
      keepWarmMs: 600_000,
      classSpeed: { cpu: 1, gpu: 1 },
      asyncRetries: 2,
      asyncRetryDelayMs: 1_000,
      processConcurrency: 32,
    },
    // gcp-local: the third cloud of examples/clouds/three-local.json (absent by default).
    latencyMs: { 'aliyun-local': 30, 'gcp-local': 40 },
  },
  {
    id: 'aliyun-local',
    name: 'Aliyun Function Compute 3.0 (local)',
    provider: 'local',
    color: '#1e80ff',
    limits: {
      asyncPayloadBytes: 131_072,
      syncPayloadBytes: 33_554_432,
      maxTimeoutMs: 86_400_000,
      maxMemoryMb: 32_768,
      concurrency: 100,
    },
    prices: {
      perRequest: 0.0000002,
      perGbSecond: 0.000016384,
      billingGranularityMs: 1,
      storeRead: 0.0000002,
      storeWrite: 0.000001,
      egressPerGb: 0.074,
    },
    behaviour: {
      coldStartMs: 300,
      keepWarmMs: 600_000,
      classSpeed: { cpu: 1, gpu: 4 },
      asyncRetries: 3,
      asyncRetryDelayMs: 1_000,
      processConcurrency: 32,
    },
    latencyMs: { 'aws-local': 30, 'gcp-local': 60 },
  },
];
