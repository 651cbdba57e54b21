import { compile, defaultCloudProfiles, type WorkflowIR } from '@jointflow/ir';
// The repository's sequential reference interpreter loads step code (examples/ is not a package).
import { importHandler } from '../../../examples/referenceRun';
import type { UserHandler } from './createFunction';
import { readExecutionResult, redriveExecution, startExecution } from './execution';
import { checkHistory } from './historyChecker';
import { createMemoryPorts, type MemoryCloudOptions } from './memoryPorts';

/**
 * TEST HELPERS, not exported: a graph through the real compiler with its step code loaded, and
 * one execution of it in the memory harness run to its end (the watchdog's redrives included)
 * and checked by the history checker. Shared by the runtime's tests of compiled graphs, the
 * examples and the triggers.
 */

export async function loadCompiled(
  graph: unknown,
): Promise<{ ir: WorkflowIR; handlers: Record<string, UserHandler> }> {
  const { ir, diagnostics } = compile(graph, { clouds: defaultCloudProfiles });
  if (ir === undefined) {
    const name = (graph as { name?: unknown }).name;
    throw new Error(`${String(name)}: ${JSON.stringify(diagnostics)}`);
  }
  const handlers: Record<string, UserHandler> = {};
  for (const fn of Object.values(ir.functions)) {
    if (fn.code.trim() !== '') handlers[fn.name] = (await importHandler(fn.code)) as UserHandler;
  }
  return { ir, handlers };
}

/** Runs one execution to its end under `options.faults`, redriving as the watchdog would. */
export async function runToEnd(
  ir: WorkflowIR,
  handlers: Record<string, UserHandler>,
  input: unknown,
  options: MemoryCloudOptions = {},
) {
  const cloud = createMemoryPorts({ maxAttempts: 10, ...options });
  cloud.deploy(ir, handlers, 'd1');
  const { execution } = await startExecution(cloud.ports('api'), { ir, deployment: 'd1', input });
  await cloud.drain();
  for (let round = 0; round < 30; round++) {
    const r = await readExecutionResult(cloud.store(ir.resultStore), execution);
    if (r.status !== 'running') break;
    await redriveExecution(cloud.ports('api'), { execution, resultStore: ir.resultStore });
    await cloud.drain();
  }
  const report = await checkHistory({ ir, execution, store: cloud.store, events: cloud.events });
  const result = await readExecutionResult(cloud.store(ir.resultStore), execution, cloud.blobs);
  return {
    report,
    result,
    execution,
    cloud,
    events: cloud.events.filter((e) => e.execution === execution),
  };
}
