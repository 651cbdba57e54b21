import { createRequire } from 'node:module';
import CredentialImport from '@alicloud/credentials';
import FcClientImport from '@alicloud/fc20230330';
import { Config } from '@alicloud/openapi-client';
import type OssImport from 'ali-oss';
import TableStoreImport from 'tablestore';
import type { AliyunCloudConfig, ResolvedCloud } from '../cloudConfig';

/** An Aliyun cloud of a clouds file, resolved (profile, stand-in endpoints). */
export type AliyunResolvedCloud = Extract<ResolvedCloud, { provider: 'aliyun' }>;

type ClientFields = Pick<AliyunCloudConfig, 'region' | 'accountId' | 'emulate' | 'endpoints'>;

/**
 * The SDKs are CommonJS. Under Node's ESM loader (tests, the CLI) a default import is the
 * whole `module.exports`, whose `default` is the class for the TypeScript-built SDKs
 * (`exports.default = Client`); under a bundler it may already be the class. Take `default`
 * when there is one.
 */
function interopDefault<T>(imported: T): T {
  const inner = (imported as { default?: T }).default;
  return inner ?? imported;
}

export const FcClient = interopDefault(FcClientImport);
export type FcClient = InstanceType<typeof FcClient>;
const Credential = interopDefault(CredentialImport);
export const TableStore = interopDefault(TableStoreImport);

/*
 * The tablestore SDK assigns to undeclared loop variables (`for (pro in …)` in lib/filter.js,
 * `for (sub in …)` in lib/protocol/encoder.js, `for (key in …)` in
 * lib/protocol/plian_buffer_builder.js). Loaded by Node as CommonJS that is sloppy mode and
 * creates globals; inside the ES module bundle of a deployed function (always strict) it throws
 * `ReferenceError: pro is not defined` on the first request. Declaring them on the global
 * object makes those assignments land there in both cases.
 */
for (const name of ['pro', 'sub', 'key']) {
  if (!(name in globalThis))
    Object.defineProperty(globalThis, name, { value: undefined, writable: true });
}

/**
 * ali-oss is loaded on first use, outside the function bundle: its HTTP client (urllib)
 * `require`s the optional `proxy-agent`, which esbuild cannot resolve, so a static import would
 * break the packaging of every function. In the API and the CLI it loads from node_modules; in
 * a deployed function it is absent (see `ossClient`).
 */
function loadOss(): typeof OssImport {
  const required: unknown = createRequire(import.meta.url)('ali-oss');
  return interopDefault(required as typeof OssImport);
}

/** What a request to Tablestore or OSS is signed with. Never logged, never returned. */
export interface AliyunCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/**
 * What an emulated cloud signs its requests with. The stand-ins check no signature; these are
 * not secrets, and real clouds never use them.
 */
export const placeholderCredentials: AliyunCredentials = {
  accessKeyId: 'local',
  accessKeySecret: 'local',
};

/**
 * Where the credentials of a cloud come from: placeholders for an emulated cloud, else the
 * Alibaba Cloud default credential chain of `@alicloud/credentials` (the one the SDKs use):
 * environment (ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,
 * ALIBABA_CLOUD_SECURITY_TOKEN — what Function Compute injects into a function with a role),
 * OIDC role, the CLI profile `~/.aliyun/config.json`, the credentials file
 * `~/.alibabacloud/credentials` (or ALIBABA_CLOUD_CREDENTIALS_FILE), the ECS instance role,
 * ALIBABA_CLOUD_CREDENTIALS_URI. STS tokens are refreshed by the chain.
 */
export interface CredentialSource {
  /** Passed to openapi clients (Function Compute), which sign with it themselves. */
  readonly openApi: { accessKeyId?: string; accessKeySecret?: string; credential?: unknown };
  get(): Promise<AliyunCredentials>;
}

/**
 * The credential source of a cloud: placeholders when emulated, else the default chain.
 *
 * @example
 * const { accessKeyId } = await credentialSourceOf(cloud).get(); // never log it
 */
export function credentialSourceOf(cloud: Pick<ClientFields, 'emulate'>): CredentialSource {
  if (cloud.emulate) {
    return {
      openApi: { ...placeholderCredentials },
      get: async () => placeholderCredentials,
    };
  }
  const credential = new Credential();
  return {
    openApi: { credential },
    async get() {
      const model = await credential.getCredential();
      if (!model.accessKeyId || !model.accessKeySecret) {
        throw Object.assign(
          new Error('no Alibaba Cloud credentials found in the environment or credentials files'),
          { code: 'InvalidCredentials' },
        );
      }
      return {
        accessKeyId: model.accessKeyId,
        accessKeySecret: model.accessKeySecret,
        ...(model.securityToken ? { securityToken: model.securityToken } : {}),
      };
    },
  };
}

/**
 * The Function Compute 3.0 endpoint of a cloud: `<accountId>.<region>.fc.aliyuncs.com` over
 * HTTPS, or `endpoints.fc` (a stand-in: `http://127.0.0.1:<port>`).
 */
export function fcEndpointOf(cloud: ClientFields): {
  endpoint: string;
  protocol: 'http' | 'https';
} {
  const override = cloud.endpoints.fc;
  if (override !== undefined) {
    const url = new URL(override);
    return { endpoint: url.host, protocol: url.protocol === 'http:' ? 'http' : 'https' };
  }
  return { endpoint: `${cloud.accountId}.${cloud.region}.fc.aliyuncs.com`, protocol: 'https' };
}

/** A Function Compute 3.0 client for `cloud` (a local cloud's FC API when emulated). */
export function fcClientOf(cloud: ClientFields, credentials = credentialSourceOf(cloud)): FcClient {
  const { endpoint, protocol } = fcEndpointOf(cloud);
  const config = new Config({
    endpoint,
    protocol,
    regionId: cloud.region,
    ...credentials.openApi,
    // Control-plane calls carry whole zips: allow them time.
    readTimeout: 120_000,
    connectTimeout: 10_000,
  });
  return new FcClient(config as ConstructorParameters<typeof FcClient>[0]);
}

/** Caches one SDK client per credential set (STS credentials rotate; clients hold them). */
export function clientPerCredentials<C>(
  source: CredentialSource,
  create: (credentials: AliyunCredentials) => C,
): () => Promise<C> {
  let cached: { fingerprint: string; client: C } | undefined;
  return async () => {
    const credentials = await source.get();
    const fingerprint = `${credentials.accessKeyId}\n${credentials.securityToken ?? ''}`;
    if (cached?.fingerprint !== fingerprint) cached = { fingerprint, client: create(credentials) };
    return cached.client;
  };
}

/** The Tablestore endpoint of an instance: `https://<instance>.<region>.ots.aliyuncs.com` unless set. */
export function tablestoreEndpointOf(region: string, instance: string, endpoint?: string): string {
  return endpoint ?? `https://${instance}.${region}.ots.aliyuncs.com`;
}

export type TablestoreClient = InstanceType<typeof TableStore.Client>;

/** A Tablestore client for `instance` with these credentials. */
export function tablestoreClient(
  credentials: AliyunCredentials,
  instance: string,
  endpoint: string,
): TablestoreClient {
  return new TableStore.Client({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.accessKeySecret,
    ...(credentials.securityToken !== undefined ? { stsToken: credentials.securityToken } : {}),
    endpoint,
    instancename: instance,
  });
}

export type OssClient = InstanceType<typeof OssImport>;

/** An OSS client for `bucket` (region `oss-<region>`, or the endpoint override). */
export function ossClient(
  credentials: AliyunCredentials,
  region: string,
  bucket: string,
  endpoint?: string,
): OssClient {
  let OSS: typeof OssImport;
  try {
    OSS = loadOss();
  } catch (error) {
    throw Object.assign(
      new Error(
        `ALIYUN_OSS_UNAVAILABLE: the ali-oss SDK cannot be loaded here (${error instanceof Error ? error.message : String(error)}); inside a deployed function it is not packaged (esbuild cannot bundle its optional proxy-agent dependency): keep this cloud's blobs on another cloud (homeStore) until the packager marks proxy-agent external`,
      ),
      { code: 'ALIYUN_OSS_UNAVAILABLE' },
    );
  }
  return new OSS({
    region: `oss-${region}`,
    ...(endpoint !== undefined ? { endpoint } : {}),
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken !== undefined ? { stsToken: credentials.securityToken } : {}),
    bucket,
    secure: endpoint === undefined || endpoint.startsWith('https:'),
  });
}
