import type { FlState, TrainTask } from './state';

/** FedAvg's server sends the global model to every owner of every data center. */
export async function handler(
  input: unknown,
): Promise<{ tasks: (TrainTask & { center: number })[] }> {
  const state = input as FlState;
  return {
    tasks: state.owners.map((o, i) => ({
      owner: o.owner,
      center: o.center,
      round: state.round,
      model: state.model,
      config: state.config,
      ...(i === 0 ? { carry: state } : {}),
    })),
  };
}
