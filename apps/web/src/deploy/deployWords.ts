/**
 * Deploy progress and failures in the provider's own words, and what a person can do about a
 * failure. The API reports one status per function (pending, deploying, ready, failed) and the
 * shim's error (`CODE: message`); this maps both onto what the provider's console would say.
 */

const providerStates: Record<string, Record<string, string>> = {
  aws: {
    pending: 'queued',
    deploying: 'Pending (CreateFunction sent, waiting for State=Active)',
    ready: 'Active',
    failed: 'Failed',
  },
  aliyun: {
    pending: 'queued',
    deploying: 'Creating (CreateFunction sent, waiting for state Active)',
    ready: 'Active',
    failed: 'Failed',
  },
  local: {
    pending: 'queued',
    deploying: 'bundling and starting',
    ready: 'ready',
    failed: 'failed',
  },
};

/** A function's deploy state as its provider names it (`Active` on Lambda, …). */
export function providerState(provider: string | undefined, status: string): string {
  return providerStates[provider ?? 'local']?.[status] ?? status;
}

const help: [RegExp, string][] = [
  [
    /CLOUD_UNREACHABLE|ECONNREFUSED|timed out/i,
    'The cloud did not answer. Check that it is running (`jointflow up` starts the local clouds) or that its endpoint is reachable, then deploy again.',
  ],
  [
    /ACCESS_DENIED|AccessDenied|UnrecognizedClient|InvalidSignature|MissingAuthenticationToken|ExpiredToken|credentials/i,
    "The provider refused the credentials. Sign in again (e.g. `aws sso login`, or refresh the keys in ~/.aws/credentials or ~/.alibabacloud/credentials) and check that the role may create functions (see the shim's least-privilege policy), then deploy again.",
  ],
  [
    /THROTTL|TooManyRequests|Throttling/i,
    'The provider is rate-limiting this account. Wait a minute and deploy again, or ask for a higher quota.',
  ],
  [
    /CODE_TOO_LARGE|RequestEntityTooLarge|CodeStorageExceeded/i,
    "The function's package is larger than the provider allows. Move large data out of the step's code (load it from a blob at run time) and deploy again.",
  ],
  [
    /DEPLOY_BUILD_FAILED|bundle|esbuild|SyntaxError|TS\d{4}/i,
    "The step's code did not build. Open the step in the designer, fix the line the error names, save, and deploy again.",
  ],
  [
    /NOT_FOUND|ResourceNotFound/i,
    'The provider does not know a resource the deploy needs (a role, table or bucket). Run the bootstrap for this cloud again, then deploy.',
  ],
  [
    /OUTAGE/i,
    'The cloud is in an outage. Deploy again when it is back, or place the steps on another cloud.',
  ],
];

/** What to do about a deploy failure, or undefined when the reason is not one we recognise. */
export function deployErrorHelp(reason: string): string | undefined {
  return help.find(([pattern]) => pattern.test(reason))?.[1];
}
