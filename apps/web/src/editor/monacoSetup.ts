import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/language/json/json.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import { STEP_AMBIENT_TYPES } from './stepCodeDiagnostics';

// Monaco comes from the local package, never from a CDN: this must run before the first editor mounts.
self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'json') return new JsonWorker();
    if (label === 'typescript' || label === 'javascript') return new TsWorker();
    return new EditorWorker();
  },
};

// The editor's squiggles should agree with the step code checker that blocks Deploy: Node's
// ES2022 library without the DOM, loose implicit any, `node:` built-ins and `StepContext`.
const ts = monaco.typescript;
ts.typescriptDefaults.setCompilerOptions({
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  lib: ['es2022'],
  strict: false,
  noImplicitAny: false,
  allowNonTsExtensions: true,
});
ts.typescriptDefaults.addExtraLib(STEP_AMBIENT_TYPES, 'file:///step-globals.d.ts');

/**
 * Monaco's dark theme with comments readable on its background: vs-dark draws them #608b4e on
 * #1e1e1e, a 4.2:1 contrast, under WCAG's 4.5:1 (axe-core flags it); #6a9955 gives 5.0:1.
 */
export const DARK_THEME = 'jointflow-dark';
monaco.editor.defineTheme(DARK_THEME, {
  base: 'vs-dark',
  inherit: true,
  rules: [{ token: 'comment', foreground: '6a9955' }],
  colors: {},
});

loader.config({ monaco });

export { monaco };
