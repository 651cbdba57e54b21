import type { BenchOptions } from '../benchOptions';
import { type HopReferenceResult, measureHopReference } from '../floor/hopReference';
import { type LatencySummary, summarize } from '../percentiles';
import { benchTopology, type SystemFactory } from '../systems/catalog';

/**
 * Suite 1, transition overhead: a chain of no-op steps with a 1 KB payload, warm, on one cloud
 * and alternating between two clouds. A transition is the time from one step's handler start to
 * the next step's handler start (stamped by the step code itself), so every system is measured
 * at the same two points whatever it does in between.
 */
export interface TransitionRow {
  label: string;
  family: SystemFactory['family'];
  fsync: boolean;
  /** The path its steps took (absent in results written before it was recorded). */
  path?: string;
  /** A plain-process reference row (not on the local clouds' invoke path); never a ratio's base. */
  reference?: boolean;
  durability: string;
  placement: 'same-cloud' | 'cross-cloud';
  perTransition?: LatencySummary;
  /** First step start to last step start, per chain. */
  chainSpan?: LatencySummary;
  error?: string;
}

export interface TransitionData {
  chainSteps: number;
  chainRuns: number;
  crossChainSteps: number;
  crossChainRuns: number;
  payloadBytes: number;
  reference: HopReferenceResult;
  rows: TransitionRow[];
}

export async function runTransitionSuite(
  options: BenchOptions,
  factories: readonly SystemFactory[],
  log: (line: string) => void,
): Promise<TransitionData> {
  log(`reference: ${options.hopSamples} samples of one hop + one put-if-absent`);
  const reference = await measureHopReference(options.hopSamples);
  const [home = '', other = home] = benchTopology.clouds;
  const placements = [
    {
      placement: 'same-cloud' as const,
      clouds: Array.from({ length: options.chainSteps }, () => home),
      runs: options.chainRuns,
    },
    {
      placement: 'cross-cloud' as const,
      clouds: Array.from({ length: options.crossChainSteps }, (_, i) =>
        i % 2 === 0 ? home : other,
      ),
      runs: options.crossChainRuns,
    },
  ];
  const rows: TransitionRow[] = [];
  for (const factory of factories) {
    log(`transition: ${factory.label}`);
    let system: Awaited<ReturnType<SystemFactory['start']>> | undefined;
    try {
      system = await factory.start([]);
      for (const { placement, clouds, runs } of placements) {
        const base = {
          label: factory.label,
          family: factory.family,
          fsync: factory.fsync,
          path: system.path,
          reference: factory.reference,
          durability: system.durability,
          placement,
        };
        try {
          for (let i = 0; i < (options.mode === 'quick' ? 1 : 3); i += 1)
            await system.runChain(clouds);
          const transitions: number[] = [];
          const spans: number[] = [];
          for (let run = 0; run < runs; run += 1) {
            const marks = await system.runChain(clouds);
            if (marks.length !== clouds.length) {
              throw new Error(`chain ran ${marks.length} of ${clouds.length} steps`);
            }
            for (let i = 1; i < marks.length; i += 1) {
              transitions.push((marks[i] ?? 0) - (marks[i - 1] ?? 0));
            }
            spans.push((marks[marks.length - 1] ?? 0) - (marks[0] ?? 0));
          }
          rows.push({
            ...base,
            perTransition: summarize(transitions),
            chainSpan: summarize(spans),
          });
        } catch (error) {
          rows.push({ ...base, error: String(error) });
        }
      }
    } catch (error) {
      for (const { placement } of placements) {
        rows.push({
          label: factory.label,
          family: factory.family,
          fsync: factory.fsync,
          reference: factory.reference,
          durability: 'did not start',
          placement,
          error: String(error),
        });
      }
    } finally {
      await system?.close();
    }
  }
  return {
    chainSteps: options.chainSteps,
    chainRuns: options.chainRuns,
    crossChainSteps: options.crossChainSteps,
    crossChainRuns: options.crossChainRuns,
    payloadBytes: 1024,
    reference,
    rows,
  };
}
