import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CloudProfile, cloudProfileSchema } from '@jointflow/ir';

/** The directory of the profiles shipped with Jointflow (aws-local.json, aliyun-local.json). */
export const defaultProfileDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'profiles');

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

/** Every `*.json` profile in `dir`, sorted by file name. */
export function loadProfileDir(dir: string = defaultProfileDir): CloudProfile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadProfile(join(dir, f)));
}
