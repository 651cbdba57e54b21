import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importAsl } from './asl';
import { compile } from './compile';
import { defaultCloudProfiles } from './defaultClouds';

/**
 * Mutated corpus definitions (seeded, a fixed count): the importer never throws and never
 * reports ASL_INTERNAL, and a graph it returns always compiles without IR_INTERNAL or
 * IR_INVALID_GRAPH. Each mutation replaces, deletes or retypes one value somewhere in the tree.
 */

const corpusDir = fileURLToPath(new URL('./aslCorpus/', import.meta.url));
const definitions = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map(
    (f) =>
      (JSON.parse(readFileSync(join(corpusDir, f), 'utf8')) as { definition: unknown }).definition,
  );

/** A small deterministic PRNG (mulberry32), so a failure names its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REPLACEMENTS: unknown[] = [
  null,
  -1,
  0,
  1.5,
  '',
  '$',
  '$$',
  '$.a[*]',
  '$..x',
  'States.Format(',
  "States.Array($.a, 'x\\'y')",
  [],
  {},
  [{}],
  { 'x.$': '$.y' },
  true,
  'Next',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal `${` is one of the mutations.
  '\u2028*/`${x}`',
];

function mutate(value: unknown, rand: () => number): unknown {
  const copy = structuredClone(value);
  // Collect every (container, key) pair, then change one.
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const stack: unknown[] = [copy];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    if (v === null || typeof v !== 'object') continue;
    for (const [k, child] of Object.entries(v)) {
      slots.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
      stack.push(child);
    }
  }
  const slot = slots[Math.floor(rand() * slots.length)];
  if (slot === undefined) return copy;
  const [container, key] = slot;
  const choice = rand();
  if (choice < 0.2 && !Array.isArray(container)) delete container[key as string];
  else {
    const replacement = REPLACEMENTS[Math.floor(rand() * REPLACEMENTS.length)];
    (container as Record<string | number, unknown>)[key] = structuredClone(replacement);
  }
  return copy;
}

describe('the ASL importer on mutated definitions', () => {
  it('never throws, never reports ASL_INTERNAL, and its graphs compile without internal errors (600 mutations)', () => {
    let graphs = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const rand = random(seed);
      const base = definitions[seed % definitions.length];
      let definition = mutate(base, rand);
      if (rand() < 0.3) definition = mutate(definition, rand);
      const result = importAsl(definition);
      const internal = result.diagnostics.filter((d) => d.code === 'ASL_INTERNAL');
      expect({ seed, internal }).toEqual({ seed, internal: [] });
      if (result.graph === undefined) continue;
      graphs++;
      const compiled = compile(result.graph, { clouds: defaultCloudProfiles });
      const broken = compiled.diagnostics.filter(
        (d) => d.code === 'IR_INTERNAL' || d.code === 'IR_INVALID_GRAPH',
      );
      expect({ seed, broken }).toEqual({ seed, broken: [] });
    }
    // Most single mutations still import: the test exercises the graph path, not only errors.
    expect(graphs).toBeGreaterThan(150);
  });
});
