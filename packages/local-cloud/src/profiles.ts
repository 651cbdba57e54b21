import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CloudProfile, cloudProfileSchema, defaultCloudProfiles } from '@jointflow/ir';

export class ProfileError extends Error {
  readonly code = 'LOCAL_BAD_PROFILE';
}

/** Reads and validates one profile file; a bad file throws `ProfileError` naming the field. */
export function loadProfile(file: string): CloudProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ProfileError(
      `LOCAL_BAD_PROFILE: cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = cloudProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ProfileError(
      `LOCAL_BAD_PROFILE: ${file} is not a cloud profile (${issues}); fix the field and retry`,
    );
  }
  return parsed.data;
}

/**
 * Every `*.json` profile in `dir`, sorted by file name; without a directory, the built-in
 * profiles (`defaultCloudProfiles` of @jointflow/ir, their one definition), as copies.
 *
 * @example
 * loadProfileDir(); // aws-local, aliyun-local
 * loadProfileDir('./my-profiles'); // the user's edited JSON files
 */
export function loadProfileDir(dir?: string): CloudProfile[] {
  if (dir === undefined) return defaultCloudProfiles.map((profile) => structuredClone(profile));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadProfile(join(dir, f)));
}
