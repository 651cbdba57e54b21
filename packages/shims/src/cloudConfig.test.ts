import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCloudsFile, storeCloudOf } from './cloudConfig';

const cloudsDir = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'examples',
  'clouds',
);

const aws = {
  id: 'aws',
  provider: 'aws',
  region: 'us-east-1',
  bucket: 'my-blobs',
  functionRole: 'arn:aws:iam::1:role/jf',
};

describe('clouds file', () => {
  it('parses every shipped example, with defaults filled in', () => {
    const files = readdirSync(cloudsDir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const parsed = parseCloudsFile(readFileSync(join(cloudsDir, f), 'utf8'), f);
      expect(parsed.clouds.length).toBeGreaterThan(0);
    }
    const parsed = parseCloudsFile(JSON.stringify({ clouds: [aws] }));
    expect(parsed.clouds[0]).toMatchObject({ table: 'jointflow', emulate: false, endpoints: {} });
  });

  it('names each problem with its path and what to do', () => {
    const bad = (value: unknown) => () => parseCloudsFile(JSON.stringify(value), 'c.json');
    expect(bad({ clouds: [] })).toThrow(/at least one cloud/);
    expect(bad({ clouds: [aws, aws] })).toThrow(/clouds\.1\.id: cloud id "aws" appears twice/);
    expect(bad({ clouds: [{ ...aws, id: 'Bad Id' }] })).toThrow(/clouds\.0\.id/);
    expect(bad({ clouds: [{ ...aws, region: undefined }] })).toThrow(/clouds\.0\.region/);
    expect(bad({ clouds: [{ ...aws, secretAccessKey: 'x' }] })).toThrow(/secretAccessKey/);
    expect(bad({ clouds: [{ ...aws, endpoints: { s3: 'not a url' } }] })).toThrow(
      /endpoints\.s3: an endpoint is an http\(s\) URL/,
    );
    const ali = { id: 'ali', provider: 'aliyun', region: 'cn-hangzhou', accountId: '1' };
    expect(bad({ clouds: [ali] })).toThrow(
      /has no store: set "tablestore" and "bucket", or "homeStore"/,
    );
    expect(bad({ clouds: [{ ...ali, homeStore: 'nowhere' }] })).toThrow(
      /clouds\.0\.homeStore: homeStore "nowhere" must name another cloud/,
    );
    expect(() => parseCloudsFile('{', 'c.json')).toThrow(
      /CLOUDS_CONFIG_INVALID: c\.json is not JSON/,
    );
  });

  it('an Aliyun cloud may keep its keys in an AWS cloud', () => {
    const ali = {
      id: 'ali',
      provider: 'aliyun',
      region: 'cn-hangzhou',
      accountId: '1',
      homeStore: 'aws',
    };
    const parsed = parseCloudsFile(`\uFEFF${JSON.stringify({ clouds: [aws, ali] })}`);
    expect(parsed.clouds.map(storeCloudOf)).toEqual(['aws', 'aws']);
  });
});
