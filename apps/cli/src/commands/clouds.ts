import { loadCloudsFile, loadProfileDir, resolveProfiles } from '@jointflow/local-cloud';
import {
  aliyunPolicies,
  awsPolicies,
  bootstrapAliyunStore,
  type CloudsFile,
  createShim,
  dynamoClientOf,
  ensureBucket,
  ensureDynamoTable,
  type ResolvedCloud,
  s3ClientOf,
  storeCloudOf,
} from '@jointflow/shims';
import { type Command, defineCommand, UsageError } from '../command';

interface CloudsArgs {
  action: 'list' | 'bootstrap';
  cloud?: string;
  clouds?: string;
  json: boolean;
}

/** The clouds of a file (or the default local ones), resolved without starting anything. */
function resolveWithoutStarting(file: CloudsFile): ResolvedCloud[] {
  const profiles = resolveProfiles(file, loadProfileDir());
  return file.clouds.map((cloud, i) => {
    const { profile: _ref, ...config } = cloud;
    const profile = profiles[i];
    if (profile === undefined) throw new Error(`no profile for ${cloud.id}`);
    return { ...config, profile };
  });
}

function defaultFile(): CloudsFile {
  return {
    clouds: loadProfileDir().map((p) => ({ id: p.id, provider: 'local' as const, profile: p.id })),
  };
}

async function list(options: CloudsArgs): Promise<number> {
  const file = options.clouds === undefined ? defaultFile() : loadCloudsFile(options.clouds);
  const clouds = resolveWithoutStarting(file);
  const rows = await Promise.all(
    clouds.map(async (cloud) => {
      const emulated = cloud.provider === 'local' || cloud.emulate;
      const health = emulated
        ? { ok: true, detail: 'started by jointflow up / run' }
        : await createShim(cloud, clouds)
            .health()
            .catch((error: unknown) => ({
              ok: false,
              detail: error instanceof Error ? error.message : String(error),
            }));
      return {
        id: cloud.id,
        provider: cloud.provider,
        region: cloud.provider === 'local' ? 'local' : cloud.region,
        emulated,
        homeStore: storeCloudOf(cloud),
        health,
      };
    }),
  );
  if (options.json) {
    console.log(JSON.stringify({ clouds: rows }, null, 2));
  } else {
    for (const r of rows) {
      const mode = r.emulated ? (r.provider === 'local' ? 'local' : 'emulated') : 'real';
      const store = r.homeStore === r.id ? '' : `  keys in ${r.homeStore}`;
      const status = r.health.ok ? 'ok' : 'UNHEALTHY';
      const detail = 'detail' in r.health && r.health.detail ? ` (${r.health.detail})` : '';
      console.log(
        `${r.id.padEnd(16)} ${r.provider.padEnd(7)} ${r.region.padEnd(16)} ${mode.padEnd(9)} ${status}${detail}${store}`,
      );
    }
  }
  return rows.every((r) => r.health.ok) ? 0 : 1;
}

async function bootstrap(options: CloudsArgs): Promise<number> {
  const file = loadCloudsFile(options.clouds ?? '');
  const clouds = resolveWithoutStarting(file);
  const cloud = clouds.find((c) => c.id === options.cloud);
  if (cloud === undefined) {
    throw new UsageError(
      `no cloud "${options.cloud}" in ${options.clouds}; it has ${clouds.map((c) => c.id).join(', ')}`,
    );
  }
  if (cloud.provider === 'local') {
    console.log(`${cloud.id} is a local cloud: nothing to bootstrap.`);
    return 0;
  }
  if (cloud.emulate) {
    console.log(
      `${cloud.id} is emulated: 'jointflow up' and 'jointflow run' create its stand-ins' table and bucket on every start.`,
    );
  }
  if (cloud.provider === 'aws') {
    if (!cloud.emulate && cloud.homeStore === undefined) {
      const table = await ensureDynamoTable(dynamoClientOf(cloud), cloud.table);
      const bucket = await ensureBucket(s3ClientOf(cloud), cloud.bucket, cloud.region);
      console.log(
        `table ${table.table}: ${table.created ? 'created' : 'already there'} (TTL ${table.ttl})`,
      );
      console.log(`bucket ${bucket.bucket}: ${bucket.created ? 'created' : 'already there'}`);
    }
    const policies = awsPolicies(cloud, clouds);
    console.log(`\n# IAM policy for the functions' role (${cloud.functionRole})`);
    console.log(JSON.stringify(policies.function, null, 2));
    console.log(`\n# Trust policy of that role`);
    console.log(JSON.stringify(policies.functionTrust, null, 2));
    console.log(`\n# IAM policy for the deployer (whoever runs jointflow up / deploy)`);
    console.log(JSON.stringify(policies.deployer, null, 2));
    return 0;
  }
  if (!cloud.emulate && cloud.homeStore === undefined) {
    const made = await bootstrapAliyunStore(cloud);
    if (made.table !== undefined) {
      console.log(`table ${made.table.table}: ${made.table.created ? 'created' : 'already there'}`);
    }
    if (made.bucket !== undefined) {
      console.log(
        `bucket ${made.bucket.bucket}: ${made.bucket.created ? 'created' : 'already there'}`,
      );
    }
  } else if (cloud.homeStore !== undefined) {
    console.log(`${cloud.id} keeps its keys in ${storeCloudOf(cloud)}: bootstrap that cloud too.`);
  }
  const policies = aliyunPolicies(cloud, clouds);
  console.log(
    `\n# RAM policy for the functions' role${cloud.functionRole ? ` (${cloud.functionRole})` : ''}`,
  );
  console.log(JSON.stringify(policies.function, null, 2));
  console.log('\n# Trust policy of that role');
  console.log(JSON.stringify(policies.functionTrust, null, 2));
  console.log('\n# RAM policy for the deployer');
  console.log(JSON.stringify(policies.deployer, null, 2));
  for (const note of policies.notes) console.log(`\nnote: ${note}`);
  return 0;
}

export const cloudsCommand: Command = defineCommand({
  name: 'clouds',
  summary: 'List the configured clouds (provider, region, health); bootstrap a real cloud',
  synopsis: ['[--clouds <clouds.json>] [--json]', 'bootstrap <cloud id> --clouds <clouds.json>'],
  positionals: { min: 0, max: 2, what: 'nothing, or bootstrap <cloud id>' },
  description: `Lists the configured clouds with provider, region, home store and health. Without --clouds,
the two local clouds that 'jointflow up' starts. Health is checked for real clouds only (with
credentials from each SDK's standard chain); local and emulated clouds run only while
'jointflow up' or 'jointflow run' runs.

bootstrap creates what a real cloud needs before the first deploy, idempotently, and prints the
least-privilege policies:
  aws     the DynamoDB table (keys pk/sk, on demand, TTL on expiresAt) and the S3 bucket; then
          the IAM policy for the functions' role, its trust policy, and the deployer's policy
  aliyun  the Tablestore table and the OSS bucket (unless its keys live in another cloud); then
          the RAM policy for the functions' role, its trust policy, and the deployer's policy`,
  flags: {
    clouds: {
      type: 'string',
      value: '<clouds.json>',
      help: 'a clouds file (see examples/clouds/); default: the two local clouds',
    },
    json: { type: 'boolean', help: 'print one JSON document' },
  },
  examples: [
    'jointflow clouds --clouds examples/clouds/mixed-emulated.json',
    'jointflow clouds bootstrap aws-local --clouds examples/clouds/aws.example.json',
  ],
  exitCodes: '0 ok, 1 a cloud call failed, 2 bad usage.',
  async run({ flags, positionals }) {
    const [action, cloud] = positionals;
    if (action !== undefined && action !== 'bootstrap') {
      throw new UsageError(
        `unknown action "${action}"; give nothing (list) or bootstrap <cloud id>`,
        'CLI_BAD_ARGUMENTS',
      );
    }
    if (action === 'bootstrap' && (cloud === undefined || flags.clouds === undefined)) {
      throw new UsageError('bootstrap needs a cloud id and --clouds <file>', 'CLI_BAD_ARGUMENTS');
    }
    const options: CloudsArgs = {
      action: action === 'bootstrap' ? 'bootstrap' : 'list',
      json: flags.json === true,
      ...(cloud !== undefined ? { cloud } : {}),
      ...(flags.clouds !== undefined ? { clouds: flags.clouds } : {}),
    };
    try {
      return options.action === 'list' ? await list(options) : await bootstrap(options);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = (error as { code?: unknown }).code;
      if (code === 'CLOUDS_CONFIG_INVALID') {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      }
      console.error(
        `jointflow clouds: ${typeof code === 'string' ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`,
      );
      return 1;
    }
  },
});
