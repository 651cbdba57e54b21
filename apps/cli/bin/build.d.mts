/** Types of bin/build.mjs for TypeScript callers (the bench runs the compiled cloud program). */

/** The current build's directory if every input is unchanged since it was built, else undefined. */
export function freshBuild(): string | undefined;
/** Builds now, whatever the current build is. Resolves to the new build's directory. */
export function buildNow(): Promise<string>;
/** The directory of an up-to-date build (built first when stale), pinned while this process lives. */
export function ensureBuild(): Promise<string>;
