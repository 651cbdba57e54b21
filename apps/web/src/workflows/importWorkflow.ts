import { type Graph, graphSchema } from '@jointflow/ir';

export class ImportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

export type AslImporter = (definition: unknown) => {
  graph?: Graph;
  diagnostics: { severity: string; message: string }[];
};

/**
 * Reads an imported file: a Jointflow graph (JSON) or an AWS Step Functions definition (ASL,
 * recognised by `StartAt` and `States`), converted with `importAsl`.
 */
export function importWorkflowText(text: string, fileName: string, importAsl?: AslImporter): Graph {
  let json: unknown;
  try {
    // Editors on Windows save JSON with a UTF-8 byte order mark, which JSON.parse refuses.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ImportError(
      'WEB_IMPORT_NOT_JSON',
      `${fileName} is not JSON (${String(error)}); export it again as JSON`,
    );
  }
  if (typeof json === 'object' && json !== null && 'States' in json && 'StartAt' in json) {
    if (!importAsl)
      throw new ImportError(
        'WEB_IMPORT_ASL_UNAVAILABLE',
        'ASL import is not available in this build',
      );
    const result = importAsl(json);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (!result.graph || errors.length > 0) {
      throw new ImportError(
        'WEB_IMPORT_ASL_FAILED',
        `${fileName} could not be converted: ${errors.map((d) => d.message).join('; ') || 'no graph'}`,
      );
    }
    return result.graph;
  }
  const parsed = graphSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ImportError(
      'WEB_IMPORT_INVALID_GRAPH',
      `${fileName} is neither a Jointflow graph nor an ASL definition: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Saves a JSON document as a download. */
export function downloadJson(fileName: string, value: unknown): void {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
