import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHarnessCache } from './harnessCache';

const scratch = mkdtempSync(join(tmpdir(), 'jf-harness-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A "built" harness in `dir` with a map whose sources are relative, as esbuild writes them. */
function builtHarness(dir: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'harness.mjs');
  writeFileSync(file, body);
  writeFileSync(
    `${file}.map`,
    JSON.stringify({ version: 3, sources: ['../src/entry.ts'], mappings: '' }),
  );
  return file;
}

describe('the worker harness cache', () => {
  it('hands a copy to the next cloud until an input changes, then nothing', () => {
    const cache = createHarnessCache(join(scratch, 'cache'));
    const input = join(scratch, 'src', 'entry.ts');
    mkdirSync(join(scratch, 'src'), { recursive: true });
    writeFileSync(input, 'export const a = 1;\n');
    const target = join(scratch, 'cloud-b', 'harness.mjs');
    mkdirSync(join(scratch, 'cloud-b'), { recursive: true });

    expect(cache.restore(target)).toBe(false);
    cache.save(builtHarness(join(scratch, 'cloud-a'), 'export const built = 1;\n'), [input]);
    expect(cache.restore(target)).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('export const built = 1;\n');
    // The copy's map names its sources absolutely: it maps stacks from any directory.
    const map = JSON.parse(readFileSync(`${target}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources).toEqual([input]);

    const was = statSync(input);
    utimesSync(input, was.atime, new Date(was.mtimeMs + 2_000));
    expect(cache.restore(join(scratch, 'cloud-b', 'again.mjs'))).toBe(false);

    cache.save(builtHarness(join(scratch, 'cloud-c'), 'export const built = 2;\n'), [input]);
    expect(cache.restore(target)).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('export const built = 2;\n');
  });

  it('refuses an entry whose input is gone', () => {
    const cache = createHarnessCache(join(scratch, 'cache-gone'));
    const input = join(scratch, 'gone.ts');
    writeFileSync(input, 'export {};\n');
    cache.save(builtHarness(join(scratch, 'cloud-d'), 'export {};\n'), [input]);
    rmSync(input);
    expect(cache.restore(join(scratch, 'cloud-d', 'copy.mjs'))).toBe(false);
  });
});
