/**
 * Small inputs so one execution is quick (a few dozen invocations); the fault-free test still
 * runs every example's own sample input.
 */
export const chaosInputs: Record<string, unknown> = {
  'monte-carlo-pi': { samples: 2000, branches: 4 },
  'word-count': {
    text: 'the river rose and the town watched the river fall by evening as it always had',
    chunks: 3,
  },
  'question-answering': {
    question: 'which telescope shows a comet',
    documents: 8,
    shards: 3,
    seed: 5,
  },
  'video-analytics': { frames: 3, width: 8, height: 6, seed: 3 },
  'iot-pipeline': { seed: 4, sensors: 2, readingsPerSensor: 3 },
  'ml-pipeline': { shape: 'cross', width: 16, height: 16, seed: 2, size: 8, slowMs: 300 },
  'mapreduce-sort': { numbers: [9, 3, 7, 1, 8, 2, 7, 0], mappers: 3, reducers: 2 },
  'parallel-sleep': { sleepers: 5, sleepMs: 1 },
  // The producer's execution ends with its lookup; its window runs as an execution of its own.
  'event-stream': { ad: 'ad-3', user: 'u-1' },
};

/**
 * An example's output as chaos runs compare it with the fault-free one: a k-of-n example's
 * winners depend on arrival order, which faults change (ml-pipeline reports them as `winners`;
 * the rest of its output is the same whichever win), so only their number counts.
 */
export function comparableOutput(output: unknown): unknown {
  if (typeof output !== 'object' || output === null || !('winners' in output)) return output;
  const { winners, ...rest } = output as { winners: unknown[] };
  return { ...rest, winners: new Set(winners).size };
}
