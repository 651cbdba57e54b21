import type { Graph } from '@jointflow/ir';
import { useEffect, useMemo, useState } from 'react';
import { checkStepCode } from '../editor/stepCodeChecker';
import { type Problem, stepCodeProblems } from './validation';

/** Waits this long after the last keystroke before checking (typing stays smooth). */
const CHECK_DELAY_MS = 250;

export interface StepCodeCheck {
  problems: Problem[];
  /** The code changed and its check has not answered yet: Deploy waits for it. */
  pending: boolean;
}

/** The code of every step that runs code, as the checker takes it. */
export function codeOfSteps(graph: Graph): { node: string; code: string }[] {
  return graph.nodes.flatMap((node) =>
    (node.kind === 'task' || node.kind === 'join' || node.kind === 'trigger') &&
    node.code.trim() !== ''
      ? [{ node: node.name, code: node.code }]
      : [],
  );
}

/**
 * Syntax and type errors of every step's code, whether or not its editor was ever opened,
 * checked in a Web Worker (see `editor/stepCodeChecker.ts`). Re-checks when code changes, not
 * when steps move.
 */
export function useStepCodeCheck(graph: Graph): StepCodeCheck {
  const steps = useMemo(() => codeOfSteps(graph), [graph]);
  const key = useMemo(() => JSON.stringify(steps), [steps]);
  const [result, setResult] = useState<{ key: string; problems: Problem[] } | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for steps
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      checkStepCode(steps).then(
        (found) => {
          if (current) setResult({ key, problems: stepCodeProblems(found) });
        },
        (error: unknown) => {
          if (!current) return;
          setResult({
            key,
            problems: [
              {
                severity: 'warning',
                code: 'WEB_STEP_CHECK_UNAVAILABLE',
                message: `the step code could not be checked in the browser (${error instanceof Error ? error.message : String(error)}); reload the page to try again`,
              },
            ],
          });
        },
      );
    }, CHECK_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key]);

  return useMemo(
    () => ({ problems: result?.problems ?? [], pending: result?.key !== key }),
    [result, key],
  );
}
