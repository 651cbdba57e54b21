import { sortKeys } from '../canonicalJson';
import type { Diagnostic } from '../diagnostic';

/** Where a diagnostic points. */
export interface DiagnosticSite {
  node?: string;
  edge?: string;
}

/** The diagnostics of one compilation, in the order the passes report them. */
export class DiagnosticLog {
  private readonly diagnostics: Diagnostic[] = [];

  error(code: string, message: string, at?: DiagnosticSite): void {
    this.report('error', code, message, at);
  }

  warn(code: string, message: string, at?: DiagnosticSite): void {
    this.report('warning', code, message, at);
  }

  errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length;
  }

  /** Every diagnostic, keys sorted (canonical JSON). */
  list(): Diagnostic[] {
    return this.diagnostics.map((d) => sortKeys(d));
  }

  private report(
    severity: Diagnostic['severity'],
    code: string,
    message: string,
    at: DiagnosticSite = {},
  ): void {
    const diagnostic: Diagnostic = { severity, code, message };
    if (at.node !== undefined) diagnostic.node = at.node;
    if (at.edge !== undefined) diagnostic.edge = at.edge;
    this.diagnostics.push(diagnostic);
  }
}

/** Names as diagnostics list them: `"a", "b"`. */
export function quoteList(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
