import { parseArgs } from 'node:util';
import type { SuiteName } from './resultFiles';

/** What `npm run bench -- [--quick] [--suite transition,workflows]` asked for, and the sizes it implies. */
export interface BenchOptions {
  mode: 'quick' | 'full';
  suites: SuiteName[];
  /** `--host-network`: skip the loopback-only network namespace (loopbackOnly.ts). */
  hostNetwork: boolean;
  /** The command as given, normalized, for the results (`npm run bench -- --quick --suite=...`). */
  command: string;
  /** Transition suite: chain length and repetitions, same cloud and across clouds. */
  chainSteps: number;
  chainRuns: number;
  crossChainSteps: number;
  crossChainRuns: number;
  hopSamples: number;
  /** Workflow suite: runs per workflow and system (after one warm-up run). */
  workflowRuns: number;
  /** Scaling suite. */
  mapWidths: number[];
  chainLengths: number[];
  /** Scaling suite: measured runs per size (after one warm-up run). */
  scalingRuns: number;
  /** Fault suite: executions per fault setting. */
  faultRuns: number;
  /** Triggers suite: measured executions per trigger kind (and the direct invoke). */
  triggerLatencyRuns: number;
  /** Triggers suite: width of the parallel-sleep fan-in, and measured runs per path. */
  fanInWidth: number;
  fanInRuns: number;
  /** Federated-learning suite: training rounds of each algorithm (one execution each). */
  flRounds: number;
}

const allSuites: SuiteName[] = [
  'transition',
  'workflows',
  'scaling',
  'faults',
  'triggers',
  'federated-learning',
];

/** A bad command line: main prints the message and exits 2. */
export class BenchUsageError extends Error {
  readonly code = 'BENCH_USAGE';
}

export const benchUsage = `Usage: npm run bench -- [--quick] [--suite=<names>] [--host-network]

  --quick         small sizes (a few minutes on 2 cores); default: the full run
  --suite         a comma list of ${allSuites.join(', ')}; default: all
  --host-network  run on the host network, not a loopback-only network namespace`;

const isSuite = (name: string): name is SuiteName => allSuites.includes(name as SuiteName);

/**
 * Parses the bench's command line with node:util parseArgs (strict: an unknown option, a stray
 * argument or an unknown suite name is a BenchUsageError, never silently ignored).
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let values: { quick?: boolean; suite?: string; 'host-network'?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        suite: { type: 'string' },
        'host-network': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BenchUsageError(
      `BENCH_USAGE: ${error instanceof Error ? error.message : String(error)}\n${benchUsage}`,
    );
  }
  const quick = values.quick === true;
  const hostNetwork = values['host-network'] === true;
  let suites: SuiteName[] = allSuites;
  if (values.suite !== undefined) {
    const names = values.suite.split(',').map((name) => name.trim());
    const unknown = names.filter((name) => !isSuite(name));
    if (unknown.length > 0 || names.length === 0) {
      throw new BenchUsageError(
        `BENCH_BAD_SUITE: unknown suite ${unknown.map((n) => `"${n}"`).join(', ') || '""'}; --suite takes a comma list of ${allSuites.join(', ')}`,
      );
    }
    suites = allSuites.filter((name) => names.includes(name));
  }
  const command = [
    'npm run bench --',
    quick ? '--quick' : '',
    values.suite !== undefined ? `--suite=${suites.join(',')}` : '',
    hostNetwork ? '--host-network' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const common = { suites, hostNetwork, command };
  return quick
    ? {
        mode: 'quick',
        ...common,
        chainSteps: 10,
        chainRuns: 5,
        crossChainSteps: 4,
        crossChainRuns: 2,
        hopSamples: 300,
        workflowRuns: 3,
        mapWidths: [1, 10, 100],
        chainLengths: [1, 10, 20],
        scalingRuns: 1,
        faultRuns: 4,
        triggerLatencyRuns: 10,
        fanInWidth: 4000,
        fanInRuns: 1,
        flRounds: 6,
      }
    : {
        mode: 'full',
        ...common,
        chainSteps: 20,
        chainRuns: 100,
        crossChainSteps: 10,
        crossChainRuns: 20,
        hopSamples: 3000,
        workflowRuns: 20,
        mapWidths: [1, 10, 100, 1000],
        chainLengths: [1, 10, 50, 100],
        scalingRuns: 3,
        faultRuns: 20,
        triggerLatencyRuns: 50,
        fanInWidth: 4000,
        fanInRuns: 3,
        flRounds: 12,
      };
}
