import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { graphSchema } from '@jointflow/ir';
import { libFileMap } from 'monaco-editor/languages/features/typescript/lib/lib.js';
import { typescript } from 'monaco-editor/languages/features/typescript/lib/typescriptServices.js';
import { describe, expect, it } from 'vitest';
import { createStepCodeChecker } from './stepCodeDiagnostics';

const examplesDir = fileURLToPath(new URL('../../../../examples/', import.meta.url));

describe('step code diagnostics', () => {
  const check = createStepCodeChecker(typescript, libFileMap);

  it('names the step, line and column of a syntax error', () => {
    const found = check([
      {
        node: 'fine',
        code: 'export async function handler(input: unknown) {\n  return input;\n}\n',
      },
      {
        node: 'broken',
        code: 'export async function handler(input: unknown) {\n  const a = 1 +;\n  return a;\n}\n',
      },
    ]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ node: 'broken', kind: 'syntax', line: 2, tsCode: 1109 });
    expect(found[0]?.message).toBe('Expression expected.');
  });

  it('finds type errors, and only in the step that has them', () => {
    const found = check([
      {
        node: 'a',
        code: 'export async function handler() {\n  const n: number = "x";\n  return n;\n}',
      },
      {
        node: 'b',
        code: 'export async function handler(input, ctx: StepContext) {\n  return ctx.once("k", () => input);\n}',
      },
    ]);
    expect(found).toEqual([
      expect.objectContaining({ node: 'a', kind: 'type', line: 2, column: 9, tsCode: 2322 }),
    ]);
  });

  it('accepts node: built-ins and Node globals, and rejects other imports', () => {
    const found = check([
      {
        node: 'io',
        code: "import { createHash } from 'node:crypto';\nexport async function handler(i: string) {\n  console.log(process.env.X, Buffer.from(i));\n  return createHash('sha256').update(i).digest('hex');\n}",
      },
      {
        node: 'dep',
        code: "import _ from 'lodash';\nexport async function handler() { return _; }",
      },
    ]);
    expect(found.map((d) => [d.node, d.tsCode])).toEqual([['dep', 2307]]);
  });

  it('re-checks an edited step and forgets a removed one', () => {
    const broken = [{ node: 'x', code: 'export function handler( {' }];
    expect(check(broken)).toHaveLength(1);
    expect(check([{ node: 'x', code: 'export function handler() {}' }])).toEqual([]);
    expect(check([])).toEqual([]);
  });

  it('checks shared code once and reports it for every step that has it', () => {
    const broken = 'export function handler() {\n  return 1 +;\n}';
    const steps = Array.from({ length: 300 }, (_, i) => ({ node: `s${i}`, code: broken }));
    const found = check([...steps, { node: 'ok', code: 'export function handler() {}' }]);
    expect(found).toHaveLength(300);
    expect(new Set(found.map((d) => d.node)).size).toBe(300);
    expect(found.every((d) => d.line === 2 && d.kind === 'syntax')).toBe(true);
  });

  it('finds nothing wrong in the shipped examples', () => {
    const steps = readdirSync(examplesDir)
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) => {
        const graph = graphSchema.parse(JSON.parse(readFileSync(examplesDir + file, 'utf8')));
        return graph.nodes.flatMap((node) =>
          node.kind === 'task' || node.kind === 'join'
            ? [{ node: `${file.replace('.json', '')}-${node.name}`, code: node.code }]
            : [],
        );
      });
    expect(steps.length).toBeGreaterThan(10);
    expect(check(steps)).toEqual([]);
  });
});
