/** [mtimeMs, size] of a file, or null when it is missing. */
export type SourceStamp = [number, number] | null;
export function sourceStamp(path: string): SourceStamp;
export function stampsUnchanged(
  inputs: Readonly<Record<string, SourceStamp>>,
  pathOf?: (name: string) => string,
): boolean;
