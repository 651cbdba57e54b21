/**
 * What travels between the federated-learning steps. Inlined by examples/build.ts into the
 * steps that import it; it imports nothing itself (the FlConfig and Model types come from
 * dataset.ts and softmax.ts, which every step that uses this file also imports).
 */
import type { FlConfig } from './dataset';
import type { Model } from './softmax';

/** What a data center knows about one of its owners: how often it trained, what it earned. */
export interface OwnerStats {
  owner: number;
  center: number;
  /** Rounds this owner trained in. */
  selected: number;
  /** Exponential average of accuracy gain per 1,000 cost units; the reward. */
  reward: number;
  /** The last round it trained in, -1 before its first. */
  lastRound: number;
}

/** One round's outcome, the series the run view and the bench plot. */
export interface RoundRecord {
  round: number;
  accuracy: number;
  costUnits: number;
  simulatedMs: number;
  modelTransfers: number;
  crossCenterTransfers: number;
  trained: number[];
}

/** The training state that moves from step to step (and from cloud to cloud). */
export interface FlState {
  algorithm: 'nebulafl' | 'fedavg';
  config: FlConfig;
  round: number;
  /** NebulaFL: the data center the model visits next. */
  center: number;
  model: Model;
  owners: OwnerStats[];
  /** Owners trained so far in this round (NebulaFL fills it center by center). */
  trained: number[];
  costUnits: number;
  simulatedMs: number;
  /** Every model transfer: owner pull and push, and hops between data centers. */
  modelTransfers: number;
  /** Model transfers from one data center to another. */
  crossCenterTransfers: number;
  /** Training jobs the reward gave the large memory tier (NebulaFL). */
  largeJobs: number;
  history: RoundRecord[];
  /**
   * Test accuracy after the latest round (absent before the first): a top-level number, so
   * the run view can plot it per loop iteration even though the model makes the output large.
   */
  accuracy?: number;
}

/**
 * The memory a training job runs with: the `memoryMb` of the two training steps a NebulaFL
 * data center routes its jobs to (`<c>Train` and `<c>TrainLarge`). FedAvg trains at the small
 * size. On Lambda and Function Compute CPU grows with memory, but a training loop does not scale
 * perfectly: three times the memory gives it `LARGE_SPEEDUP` times the speed here, so a large
 * job finishes in half the time for 1.5 times the cost.
 */
export const MEMORY_TIERS = { small: 512, large: 1536 } as const;
export const LARGE_SPEEDUP = 2;

/** One owner's local training job; the first job of a fan-out carries the state to the merge. */
export interface TrainTask {
  owner: number;
  round: number;
  model: Model;
  config: FlConfig;
  /** The memory the job runs with; absent: the small tier. */
  memoryMb?: number;
  carry?: FlState;
}

/** A trained local model and what producing it took (simulated time and cost). */
export interface TrainResult {
  owner: number;
  weights: number[];
  baseVersion: number;
  samples: number;
  loss: number;
  simulatedMs: number;
  costUnits: number;
  /** The memory it trained with. */
  memoryMb: number;
  carry?: FlState;
}

/** The state the first job of a fan-out carried; a fan-in without it is a broken graph. */
export function carriedState(results: TrainResult[]): FlState {
  const state = results.find((r) => r.carry !== undefined)?.carry;
  if (state === undefined) throw new Error('no training result carries the state');
  return state;
}
