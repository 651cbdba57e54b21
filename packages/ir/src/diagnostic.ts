/**
 * A finding of the compiler or the ASL importer. `code` is stable (tests, the designer's problem
 * panel and the CLI key on it); `message` says what is wrong and what to do about it.
 */
export interface Diagnostic {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  /** The node the diagnostic is about, when there is one. */
  node?: string;
  /** The edge the diagnostic is about, when there is one. */
  edge?: string;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/**
 * One line per diagnostic, as the CLI prints them.
 *
 * @example
 * formatDiagnostic({ severity: 'error', code: 'IR_DANGLING_EDGE', edge: 'e7', message: '...' });
 * // 'error IR_DANGLING_EDGE edge e7: ...'
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [
    d.node === undefined ? '' : `node ${d.node}`,
    d.edge === undefined ? '' : `edge ${d.edge}`,
  ]
    .filter((s) => s !== '')
    .join(' ');
  return `${d.severity} ${d.code}${where === '' ? '' : ` ${where}`}: ${d.message}`;
}
