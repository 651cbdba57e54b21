// The TypeScript language service that monaco-editor ships (TypeScript 5.9, plain JavaScript),
// typed only as far as the step code checker uses it. TypeScript 7 in node_modules is native and
// has no JavaScript API, so this is the one TypeScript the browser can run.
declare module 'monaco-editor/languages/features/typescript/lib/typescriptServices.js' {
  import type { TsApi } from './stepCodeDiagnostics';
  export const typescript: TsApi;
}

declare module 'monaco-editor/languages/features/typescript/lib/lib.js' {
  /** The text of every `lib.*.d.ts` file, by file name. */
  export const libFileMap: Record<string, string>;
}
