import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';

/**
 * Stack traces that name the user's own file and line (`user.ts:3:11`) instead of the bundle's,
 * for a worker running an esbuild bundle with a `.map` beside it.
 *
 * Node's `--enable-source-maps` would do this, but it reads and parses the whole map when the
 * bundle loads: measured on a 5.4 MB bundle with a 9.7 MB map, +1.3–2.5 s per cold start and
 * +50 MB RSS per worker. Here the map is read only when a stack is first formatted (a failing
 * step), through V8's `Error.prepareStackTrace` hook; frames outside the bundle, and every frame
 * when the map is unreadable, keep V8's own text.
 */
export function installSourceMappedStacks(bundleFile: string): void {
  const mapFile = `${bundleFile}.map`;
  if (!existsSync(mapFile)) return;
  let map: SourceMap | null | undefined;
  const mapDir = dirname(mapFile);

  const load = (): SourceMap | null => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
      } catch {
        map = null;
      }
    }
    return map;
  };

  const original = (site: NodeJS.CallSite): string => {
    const text = site.toString();
    const file = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (file == null || line == null || column == null) return text;
    if (file !== bundleFile && file !== `file://${bundleFile}`) return text;
    const sourceMap = load();
    if (sourceMap === null) return text;
    const entry = sourceMap.findEntry(line - 1, column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return text;
    const source = resolve(mapDir, entry.originalSource.replace(/^file:\/\//, ''));
    const where = `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
    return text.replace(`${file}:${line}:${column}`, where);
  };

  Error.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]) => {
    const head = (() => {
      try {
        return Error.prototype.toString.call(error);
      } catch {
        return 'Error';
      }
    })();
    const frames = sites.map((site) => {
      try {
        return `    at ${original(site)}`;
      } catch {
        return `    at ${site.toString()}`;
      }
    });
    return [head, ...frames].join('\n');
  };
}
