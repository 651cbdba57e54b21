// Plain JavaScript: apps/cli/bin/build.mjs runs it with node before anything is compiled, and
// harnessCache.ts imports it too (types in sourceStamps.d.mts).
import { statSync } from 'node:fs';

/**
 * The stamp of a file a build read: [mtimeMs, size], or null when it is missing. A build records
 * one per input; a later stamp that differs means the build is stale.
 */
export function sourceStamp(path) {
  try {
    const s = statSync(path);
    return [s.mtimeMs, s.size];
  } catch {
    return null;
  }
}

/**
 * Whether every recorded input still has its stamp (a file missing then and now counts as
 * unchanged). `pathOf` maps a recorded name to the path to stat (build.mjs records names
 * relative to the repository).
 */
export function stampsUnchanged(inputs, pathOf = (name) => name) {
  for (const [name, was] of Object.entries(inputs)) {
    const now = sourceStamp(pathOf(name));
    if (now === null ? was !== null : was === null || now[0] !== was[0] || now[1] !== was[1]) {
      return false;
    }
  }
  return true;
}
