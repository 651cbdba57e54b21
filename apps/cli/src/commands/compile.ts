import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CloudProfile,
  cloudProfileSchema,
  compile,
  defaultCloudProfiles,
  formatDiagnostic,
} from '@jointflow/ir';
import { type Command, UsageError } from '../command';

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

/** Parses `<file> [--json] [--clouds <dir>]` style arguments shared by compile and import-asl. */
export function parseFileArgs(
  args: string[],
  usage: string,
): { file: string; json: boolean; clouds?: string } {
  let file: string | undefined;
  let json = false;
  let clouds: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--clouds') {
      clouds = args[++i];
      if (clouds === undefined) throw new UsageError(`--clouds needs a directory. ${usage}`);
    } else if (arg?.startsWith('-')) throw new UsageError(`unknown option ${arg}. ${usage}`);
    else if (file === undefined) file = arg;
    else throw new UsageError(`one file only. ${usage}`);
  }
  if (file === undefined) throw new UsageError(`a file is needed. ${usage}`);
  return clouds === undefined ? { file, json } : { file, json, clouds };
}

const usage = 'Usage: jointflow compile <graph.json> [--json] [--clouds <profiles-dir>]';

export const compileCommand: Command = {
  name: 'compile',
  summary: 'Compile a workflow graph to its IR, or print its diagnostics',
  usage: `${usage}

Prints the IR as JSON and exits 0. With errors, prints one diagnostic per line (or
{"diagnostics": [...]} with --json) and exits 1. A missing file or invalid JSON exits 2.
--clouds reads the cloud profiles (*.json) from a directory instead of the built-in
aws-local and aliyun-local profiles.`,
  async run(args) {
    const options = parseFileArgs(args, usage);
    const graph = readJsonFile(options.file);
    const clouds =
      options.clouds === undefined ? defaultCloudProfiles : readCloudProfiles(options.clouds);
    const { ir, diagnostics } = compile(graph, { clouds });
    if (ir === undefined) {
      if (options.json) console.log(JSON.stringify({ diagnostics }, null, 2));
      else for (const d of diagnostics) console.log(formatDiagnostic(d));
      return 1;
    }
    for (const d of diagnostics) console.error(formatDiagnostic(d));
    console.log(JSON.stringify(ir, null, 2));
    return 0;
  },
};
