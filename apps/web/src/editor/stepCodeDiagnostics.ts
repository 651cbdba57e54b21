/**
 * Syntax and type errors of every step's code, found with a TypeScript language service over
 * in-memory files (one module per step). Pure apart from the `ts` it is handed: the designer
 * runs it in a Web Worker (`stepCodeCheck.worker.ts`), the tests run it in Node.
 */

/** The part of TypeScript's API the checker uses (the service monaco-editor ships). */
export interface TsApi {
  version: string;
  createLanguageService(host: TsHost): TsLanguageService;
  ScriptSnapshot: { fromString(text: string): unknown };
  flattenDiagnosticMessageText(message: unknown, newLine: string): string;
}

interface TsHost {
  getCompilationSettings(): Record<string, unknown>;
  getScriptFileNames(): string[];
  getScriptVersion(fileName: string): string;
  getScriptSnapshot(fileName: string): unknown;
  getCurrentDirectory(): string;
  getDefaultLibFileName(options: unknown): string;
  fileExists(fileName: string): boolean;
  readFile(fileName: string): string | undefined;
}

interface TsDiagnostic {
  start?: number;
  code: number;
  category: number;
  messageText: unknown;
  file?: { getLineAndCharacterOfPosition(position: number): { line: number; character: number } };
}

interface TsLanguageService {
  getSyntacticDiagnostics(fileName: string): TsDiagnostic[];
  getSemanticDiagnostics(fileName: string): TsDiagnostic[];
}

/** One problem in one step's code; `line` and `column` count from 1. */
export interface StepCodeDiagnostic {
  node: string;
  kind: 'syntax' | 'type';
  line: number;
  column: number;
  /** TypeScript's own error number, e.g. 1005 for "';' expected". */
  tsCode: number;
  message: string;
}

/**
 * What step code may use besides the language: it runs in Node.js (bundled with the runtime),
 * may import `node:` built-ins and nothing else, and gets the runtime's `StepContext` as `ctx`.
 * Node's globals are typed loosely on purpose: the checker is there to catch the user's own
 * mistakes, not to re-type Node.
 */
export const STEP_AMBIENT_TYPES = `
declare module 'node:*';
declare var console: any;
declare var process: any;
declare var Buffer: any;
declare var require: any;
declare var module: any;
declare var __dirname: string;
declare var __filename: string;
declare var crypto: any;
declare var performance: any;
declare var fetch: any;
declare var Headers: any;
declare var Request: any;
declare var Response: any;
declare var URL: any;
declare var URLSearchParams: any;
declare var TextEncoder: any;
declare var TextDecoder: any;
declare var AbortController: any;
declare var AbortSignal: any;
declare var Blob: any;
declare var atob: (data: string) => string;
declare var btoa: (data: string) => string;
declare function setTimeout(callback: (...args: any[]) => void, ms?: number, ...args: any[]): any;
declare function clearTimeout(handle: any): void;
declare function setInterval(callback: (...args: any[]) => void, ms?: number, ...args: any[]): any;
declare function clearInterval(handle: any): void;
declare function setImmediate(callback: (...args: any[]) => void, ...args: any[]): any;
declare function queueMicrotask(callback: () => void): void;
declare function structuredClone<T>(value: T): T;
/** What the runtime hands a step's handler as its second argument. */
interface StepContext {
  execution: string;
  workflow: string;
  instance: string;
  node: string;
  attempt: number;
  cloud: string;
  once<T>(key: string, fn: (idempotencyKey: string) => T | Promise<T>): Promise<T>;
  /** Puts an object under \`key\` into the buckets of the data triggers this step feeds. */
  emit(key: string, value: unknown): void | Promise<void>;
  /** The execution's input and start time (epoch ms), from its start record: one read. */
  executionStart(): Promise<{ input: unknown; startedAt: number }>;
}
`;

const AMBIENT_FILE = '/steps/__step-globals.d.ts';
/** ES2022 without the DOM: the library Node 20 offers, and what `target` implies. */
const DEFAULT_LIB = 'lib.es2022.d.ts';
const COMPILER_OPTIONS = {
  target: 9, // ES2022
  module: 99, // ESNext
  moduleResolution: 100, // Bundler
  // Users write quick handlers (`handler(input)`); implicit `any` is not an error to them, but
  // every other type error is.
  strict: false,
  noImplicitAny: false,
  allowJs: false,
  isolatedModules: true,
  noEmit: true,
  skipLibCheck: true,
};
const TS_ERROR = 1;

/**
 * A checker that keeps one language service across calls, so re-checking after an edit only
 * re-parses the code that changed. Files are named by content (one file per distinct code
 * text): steps that share their code, as generated graphs often do, are checked once.
 *
 * @example
 * const check = createStepCodeChecker(ts, libFileMap);
 * check([{ node: 'resize', code: 'export async function handler(i) { return i }' }]);
 */
export function createStepCodeChecker(ts: TsApi, libs: Readonly<Record<string, string>>) {
  /** Distinct code text → its file; a file's text never changes, so its version is fixed. */
  const fileOfCode = new Map<string, string>();
  const codeOfFile = new Map<string, string>();
  let nextFile = 1;
  let names: string[] = [];
  const host: TsHost = {
    getCompilationSettings: () => COMPILER_OPTIONS,
    getScriptFileNames: () => names,
    getScriptVersion: () => '1',
    getScriptSnapshot: (fileName) => {
      const text = readFile(fileName);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => '/steps',
    getDefaultLibFileName: () => DEFAULT_LIB,
    fileExists: (fileName) => readFile(fileName) !== undefined,
    readFile,
  };
  function readFile(fileName: string): string | undefined {
    if (fileName === AMBIENT_FILE) return STEP_AMBIENT_TYPES;
    const code = codeOfFile.get(fileName);
    if (code !== undefined) return code;
    return libs[fileName.replace(/^.*\//, '')];
  }
  const service = ts.createLanguageService(host);

  return function check(steps: readonly { node: string; code: string }[]): StepCodeDiagnostic[] {
    const nodesOfCode = new Map<string, string[]>();
    for (const { node, code } of steps) {
      const nodes = nodesOfCode.get(code);
      if (nodes) nodes.push(node);
      else nodesOfCode.set(code, [node]);
    }
    for (const [code, fileName] of fileOfCode) {
      if (nodesOfCode.has(code)) continue;
      fileOfCode.delete(code);
      codeOfFile.delete(fileName);
    }
    for (const code of nodesOfCode.keys()) {
      if (fileOfCode.has(code)) continue;
      const fileName = `/steps/code${nextFile++}.ts`;
      fileOfCode.set(code, fileName);
      codeOfFile.set(fileName, code);
    }
    names = [AMBIENT_FILE, ...fileOfCode.values()];

    const found: StepCodeDiagnostic[] = [];
    for (const [code, nodes] of nodesOfCode) {
      const fileName = fileOfCode.get(code) ?? '';
      const syntax = service.getSyntacticDiagnostics(fileName);
      // Type errors in code that does not parse are mostly echoes of the syntax error.
      const reported =
        syntax.length > 0
          ? syntax.map((d) => ({ d, kind: 'syntax' as const }))
          : service.getSemanticDiagnostics(fileName).map((d) => ({ d, kind: 'type' as const }));
      for (const { d, kind } of reported) {
        if (d.category !== TS_ERROR) continue;
        const at = d.file?.getLineAndCharacterOfPosition(d.start ?? 0) ?? { line: 0, character: 0 };
        const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
        for (const node of nodes) {
          found.push({
            node,
            kind,
            line: at.line + 1,
            column: at.character + 1,
            tsCode: d.code,
            message,
          });
        }
      }
    }
    return found;
  };
}
