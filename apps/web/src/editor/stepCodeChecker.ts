import StepCodeCheckWorker from './stepCodeCheck.worker?worker';
import type { StepCodeDiagnostic } from './stepCodeDiagnostics';

export interface StepCheckRequest {
  id: number;
  steps: { node: string; code: string }[];
}

export type StepCheckReply =
  | { id: number; diagnostics: StepCodeDiagnostic[] }
  | { id: number; error: string };

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<
  number,
  { resolve(found: StepCodeDiagnostic[]): void; reject(error: Error): void }
>();

function failAll(message: string): void {
  for (const { reject } of waiting.values()) reject(new Error(message));
  waiting.clear();
  worker?.terminate();
  worker = null;
}

function checkerWorker(): Worker {
  if (worker) return worker;
  const started = new StepCodeCheckWorker();
  started.onmessage = (event: MessageEvent<StepCheckReply>) => {
    const reply = event.data;
    const pending = waiting.get(reply.id);
    if (!pending) return;
    waiting.delete(reply.id);
    if ('error' in reply) pending.reject(new Error(reply.error));
    else pending.resolve(reply.diagnostics);
  };
  started.onerror = (event) => failAll(event.message || 'the checker worker failed to start');
  worker = started;
  return started;
}

/**
 * Checks the code of the given steps for syntax and type errors in a Web Worker (TypeScript's
 * language service; loaded on first use, kept for later checks so edits re-check quickly).
 */
export function checkStepCode(
  steps: { node: string; code: string }[],
): Promise<StepCodeDiagnostic[]> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    checkerWorker().postMessage({ id, steps } satisfies StepCheckRequest);
  });
}
