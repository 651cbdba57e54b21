import { canonicalJson } from './canonicalJson';
import type { WorkflowIR } from './ir';
import { sha256Hex } from './sha256';

/**
 * The version of an IR: SHA-256 (hex) of its canonical JSON (sorted keys) without the `version`
 * field. Stable across key order and JSON round trips, so an execution can be pinned to the IR it
 * started with and every payload can carry it.
 *
 * @example
 * const { ir } = compile(graph, { clouds: defaultCloudProfiles });
 * if (ir) irVersion(ir) === ir.version; // true
 */
export function irVersion(ir: Omit<WorkflowIR, 'version'> & { version?: string }): string {
  const { version: _ignored, ...rest } = ir;
  return sha256Hex(canonicalJson(rest));
}
