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
  history: RoundRecord[];
}

/** One owner's local training job; the first job of a fan-out carries the state to the merge. */
export interface TrainTask {
  owner: number;
  round: number;
  model: Model;
  config: FlConfig;
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
  carry?: FlState;
}

/** The state the first job of a fan-out carried; a fan-in without it is a broken graph. */
export function carriedState(results: TrainResult[]): FlState {
  const state = results.find((r) => r.carry !== undefined)?.carry;
  if (state === undefined) throw new Error('no training result carries the state');
  return state;
}
