import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCloudProfiles } from '@jointflow/ir';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfileDir, ProfileError } from './profiles';

describe('cloud profiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jf-profiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are the IR package’s built-in profiles when no directory is given, as copies', () => {
    const profiles = loadProfileDir();
    expect(profiles).toEqual(defaultCloudProfiles);
    const [first] = profiles;
    if (first === undefined) throw new Error('no built-in profile');
    first.behaviour.coldStartMs = 1;
    expect(defaultCloudProfiles[0]?.behaviour.coldStartMs).not.toBe(1);
  });

  it('read a directory of edited JSON profiles, and name the field of a bad one', () => {
    const edited = { ...structuredClone(defaultCloudProfiles[0]), id: 'edited-local' };
    writeFileSync(join(dir, 'edited.json'), JSON.stringify(edited));
    expect(loadProfileDir(dir).map((p) => p.id)).toEqual(['edited-local']);
    writeFileSync(join(dir, 'zz-bad.json'), JSON.stringify({ ...edited, limits: {} }));
    expect(() => loadProfileDir(dir)).toThrow(ProfileError);
    expect(() => loadProfileDir(dir)).toThrow(/zz-bad\.json .*limits\.asyncPayloadBytes/);
  });
});
