// The step code checker's Web Worker: TypeScript's language service (the copy monaco-editor
// ships) runs here, off the main thread, over every step's code at once.
import { libFileMap } from 'monaco-editor/languages/features/typescript/lib/lib.js';
import { typescript } from 'monaco-editor/languages/features/typescript/lib/typescriptServices.js';
import type { StepCheckReply, StepCheckRequest } from './stepCodeChecker';
import { createStepCodeChecker } from './stepCodeDiagnostics';

const check = createStepCodeChecker(typescript, libFileMap);
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<StepCheckRequest>) => void) | null;
  postMessage(message: StepCheckReply): void;
};

scope.onmessage = (event) => {
  const { id, steps } = event.data;
  try {
    scope.postMessage({ id, diagnostics: check(steps) });
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
