import { describe, expect, it } from 'vitest';
import { deployErrorHelp, providerState } from './deployWords';

describe('deploy words', () => {
  it('names states as the provider does', () => {
    expect(providerState('aws', 'ready')).toBe('Active');
    expect(providerState('aws', 'deploying')).toMatch(/^Pending/);
    expect(providerState(undefined, 'deploying')).toBe('bundling and starting');
    expect(providerState('gcp', 'ready')).toBe('ready');
  });

  it('turns provider errors into something a person can act on', () => {
    expect(
      deployErrorHelp('CLOUD_UNREACHABLE: PUT http://127.0.0.1:1/control/functions/x: timed out'),
    ).toMatch(/did not answer/);
    expect(deployErrorHelp('AWS_ACCESS_DENIED: lambda:CreateFunction denied')).toMatch(
      /refused the credentials/,
    );
    expect(deployErrorHelp('ALIYUN_CODE_TOO_LARGE: 60 MB')).toMatch(/larger than the provider/);
    expect(deployErrorHelp('something else entirely')).toBeUndefined();
  });
});
