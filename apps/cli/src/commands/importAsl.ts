import { formatDiagnostic, importAsl } from '@jointflow/ir';
import { type Command, defineCommand } from '../command';
import { readJsonFile } from './compile';

export const importAslCommand: Command = defineCommand({
  name: 'import-asl',
  summary: 'Import an AWS Step Functions (ASL) definition as a workflow graph',
  synopsis: ['<definition.json> [--json]'],
  positionals: { min: 1, max: 1, what: 'one definition file' },
  description: `Prints the graph as JSON and exits 0; warnings (what was not carried over) go to stderr.
With errors, prints one diagnostic per line (or {"diagnostics": [...]} with --json) and exits 1.
A missing file or invalid JSON exits 2.`,
  flags: { json: { type: 'boolean', help: 'diagnostics as one JSON document' } },
  examples: ['jointflow import-asl state-machine.asl.json > graph.json'],
  exitCodes: '0 imported, 1 the definition has errors, 2 bad usage.',
  async run({ flags, positionals: [file = ''] }) {
    const { graph, diagnostics } = importAsl(readJsonFile(file));
    if (graph === undefined) {
      if (flags.json) console.log(JSON.stringify({ diagnostics }, null, 2));
      else for (const d of diagnostics) console.log(formatDiagnostic(d));
      return 1;
    }
    for (const d of diagnostics) console.error(formatDiagnostic(d));
    console.log(JSON.stringify(graph, null, 2));
    return 0;
  },
});
