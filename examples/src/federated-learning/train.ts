import { mixSeed, ownerProfiles, ownerShard, seededRandom } from './dataset';
import { trainSoftmax } from './softmax';
import { LARGE_SPEEDUP, MEMORY_TIERS, type TrainResult, type TrainTask } from './state';

/**
 * A data owner's local training: a few epochs of SGD on its own shard, which it regenerates
 * from the seed (the data never moves). The shuffle is seeded by owner and round, so a retried
 * or duplicated run trains the same model. Time and cost are simulated from the owner's
 * hardware profile and the job's memory tier: the reward and the asynchronous merge order use
 * them.
 */
export async function handler(input: unknown): Promise<TrainResult> {
  const task = input as TrainTask;
  const { config } = task;
  const shard = ownerShard(config, task.owner);
  const profile = ownerProfiles(config)[task.owner];
  if (profile === undefined) throw new Error(`owner ${task.owner} does not exist`);
  const trained = trainSoftmax(
    task.model.weights,
    shard.x,
    shard.y,
    shard.count,
    { dims: config.dims, classes: config.classes },
    {
      epochs: config.epochs,
      learningRate: config.learningRate,
      batchSize: config.batchSize,
      random: seededRandom(config.seed, mixSeed(task.round, task.owner)),
    },
  );
  // The large tier runs faster and costs more per ms, in proportion to its memory.
  const memoryMb = task.memoryMb ?? MEMORY_TIERS.small;
  const speedup = memoryMb > MEMORY_TIERS.small ? LARGE_SPEEDUP : 1;
  const simulatedMs = (shard.count * config.epochs) / (profile.speed * speedup);
  const memoryFactor = memoryMb / MEMORY_TIERS.small;
  return {
    owner: task.owner,
    weights: trained.weights,
    baseVersion: task.model.version,
    samples: shard.count,
    loss: trained.loss,
    simulatedMs,
    costUnits: simulatedMs * profile.price * memoryFactor,
    memoryMb,
    ...(task.carry !== undefined ? { carry: task.carry } : {}),
  };
}
