import { formatDiagnostic, importAsl } from '@jointflow/ir';
import type { Command } from '../command';
import { parseFileArgs, readJsonFile } from './compile';

const usage = 'Usage: jointflow import-asl <definition.json> [--json]';

export const importAslCommand: Command = {
  name: 'import-asl',
  summary: 'Import an AWS Step Functions (ASL) definition as a workflow graph',
  usage: `${usage}

Prints the graph as JSON and exits 0; warnings (what was not carried over) go to stderr.
With errors, prints one diagnostic per line (or {"diagnostics": [...]} with --json) and exits 1.
A missing file or invalid JSON exits 2.`,
  async run(args) {
    const options = parseFileArgs(args, usage);
    const { graph, diagnostics } = importAsl(readJsonFile(options.file));
    if (graph === undefined) {
      if (options.json) console.log(JSON.stringify({ diagnostics }, null, 2));
      else for (const d of diagnostics) console.log(formatDiagnostic(d));
      return 1;
    }
    for (const d of diagnostics) console.error(formatDiagnostic(d));
    console.log(JSON.stringify(graph, null, 2));
    return 0;
  },
};
