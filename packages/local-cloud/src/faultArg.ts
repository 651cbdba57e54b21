import type { FaultSpec } from '@jointflow/shims';

export class FaultArgError extends Error {
  readonly code = 'LOCAL_BAD_FAULT_SPEC';
}

/**
 * Parses a command-line fault spec into one `FaultSpec` per cloud:
 * `crash=0.2,duplicate=0.2,drop=0.1,reorder=50,outage=aliyun-local:500-3000`.
 * `crash` is split evenly between crash before commit and crash after commit; `reorder` is the
 * largest random delivery delay in ms; `outage=<cloud>:<startMs>-<endMs>` takes that cloud's
 * compute down for the window (counted from when the faults are injected). Every other fault
 * applies to every cloud.
 *
 * @example
 * parseFaultArg('crash=0.2,drop=0.1', ['aws-local'], 7)['aws-local']; // { seed: 7, crashBeforeCommit: 0.1, ... }
 */
export function parseFaultArg(
  text: string,
  clouds: readonly string[],
  seed: number,
): Record<string, FaultSpec> {
  const common: FaultSpec = { seed };
  const outages: Record<string, FaultSpec['outage']> = {};
  const probability = (key: string, value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > 1) {
      throw new FaultArgError(
        `LOCAL_BAD_FAULT_SPEC: ${key}=${value} must be a probability between 0 and 1`,
      );
    }
    return n;
  };
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key = '', value = ''] = part.split('=', 2);
    switch (key) {
      case 'crash': {
        const p = probability(key, value);
        common.crashBeforeCommit = p / 2;
        common.crashAfterCommit = p / 2;
        break;
      }
      case 'crash-before':
        common.crashBeforeCommit = probability(key, value);
        break;
      case 'crash-after':
        common.crashAfterCommit = probability(key, value);
        break;
      case 'duplicate':
        common.duplicate = probability(key, value);
        break;
      case 'drop':
        common.drop = probability(key, value);
        break;
      case 'reorder': {
        const ms = Number(value);
        if (!Number.isInteger(ms) || ms < 0) {
          throw new FaultArgError(
            `LOCAL_BAD_FAULT_SPEC: reorder=${value} must be a whole number of ms`,
          );
        }
        common.reorderMs = ms;
        break;
      }
      case 'outage': {
        const match = /^([a-z][a-z0-9-]*):(\d+)-(\d+)$/.exec(value);
        const cloud = match?.[1];
        const start = Number(match?.[2]);
        const end = Number(match?.[3]);
        if (!match || cloud === undefined || end <= start) {
          throw new FaultArgError(
            `LOCAL_BAD_FAULT_SPEC: outage=${value} must look like outage=<cloud>:<startMs>-<endMs>`,
          );
        }
        if (!clouds.includes(cloud)) {
          throw new FaultArgError(
            `LOCAL_BAD_FAULT_SPEC: outage names cloud "${cloud}"; running: ${clouds.join(', ')}`,
          );
        }
        outages[cloud] = { startInMs: start, durationMs: end - start };
        break;
      }
      default:
        throw new FaultArgError(
          `LOCAL_BAD_FAULT_SPEC: unknown fault "${key}"; use crash, crash-before, crash-after, duplicate, drop, reorder, outage`,
        );
    }
  }
  const specs: Record<string, FaultSpec> = {};
  for (const cloud of clouds) {
    const outage = outages[cloud];
    specs[cloud] = outage ? { ...common, outage } : { ...common };
  }
  return specs;
}
