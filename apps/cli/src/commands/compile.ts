import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CloudProfile,
  cloudProfileSchema,
  compile,
  defaultCloudProfiles,
  formatDiagnostic,
} from '@jointflow/ir';
import { type Command, defineCommand, UsageError } from '../command';

/** Reads and parses a JSON file; a missing file or bad JSON is a usage error (exit 2). */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read "${path}"; check the path`);
  }
  try {
    // Editors on Windows save JSON with a UTF-8 byte order mark, which JSON.parse refuses.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new UsageError(`"${path}" is not valid JSON (${detail}); fix the file`);
  }
}

/** Cloud profiles from every `*.json` file of a directory, in file name order. */
export function readCloudProfiles(dir: string): CloudProfile[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    throw new UsageError(`cannot read the cloud profile directory "${dir}"; check the path`);
  }
  if (files.length === 0) throw new UsageError(`"${dir}" holds no *.json cloud profiles`);
  return files.map((file) => {
    const parsed = cloudProfileSchema.safeParse(readJsonFile(join(dir, file)));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(
        `"${join(dir, file)}" is not a cloud profile (${issue?.path.join('.')}: ${issue?.message}); fix the file`,
      );
    }
    return parsed.data;
  });
}

export const compileCommand: Command = defineCommand({
  name: 'compile',
  summary: 'Compile a workflow graph to its IR, or print its diagnostics',
  synopsis: ['<graph.json> [--json] [--clouds <profiles-dir>]'],
  positionals: { min: 1, max: 1, what: 'one graph file' },
  description: `Prints the IR as JSON and exits 0. With errors, prints one diagnostic per line (or
{"diagnostics": [...]} with --json) and exits 1. A missing file or invalid JSON exits 2.`,
  flags: {
    json: { type: 'boolean', help: 'diagnostics as one JSON document' },
    clouds: {
      type: 'string',
      value: '<profiles-dir>',
      help: 'read the cloud profiles (*.json) from this directory instead of the built-in aws-local and aliyun-local profiles',
    },
  },
  examples: ['jointflow compile examples/monte-carlo-pi.json > ir.json'],
  exitCodes: '0 compiled, 1 the graph has errors, 2 bad usage.',
  async run({ flags, positionals: [file = ''] }) {
    const graph = readJsonFile(file);
    const clouds =
      flags.clouds === undefined ? defaultCloudProfiles : readCloudProfiles(flags.clouds);
    const { ir, diagnostics } = compile(graph, { clouds });
    if (ir === undefined) {
      if (flags.json) console.log(JSON.stringify({ diagnostics }, null, 2));
      else for (const d of diagnostics) console.log(formatDiagnostic(d));
      return 1;
    }
    for (const d of diagnostics) console.error(formatDiagnostic(d));
    console.log(JSON.stringify(ir, null, 2));
    return 0;
  },
});
