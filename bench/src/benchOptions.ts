import type { SuiteName } from './resultFiles';

/** What `npm run bench -- [--quick] [--suite transition,workflows]` asked for, and the sizes it implies. */
export interface BenchOptions {
  mode: 'quick' | 'full';
  suites: SuiteName[];
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

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const suiteArg = argv.find((arg) => arg.startsWith('--suite='))?.slice('--suite='.length);
  const suites = suiteArg
    ? suiteArg.split(',').filter((name): name is SuiteName => allSuites.includes(name as SuiteName))
    : allSuites;
  if (suiteArg && suites.length === 0) {
    throw new Error(`BENCH_BAD_SUITE: --suite takes a comma list of ${allSuites.join(', ')}`);
  }
  return quick
    ? {
        mode: 'quick',
        suites,
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
        suites,
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
