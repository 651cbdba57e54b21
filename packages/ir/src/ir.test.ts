import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from './compile';
import { defaultCloudProfiles } from './defaultClouds';
import { graphSchema } from './graph';
import { workflowIRSchema } from './ir';

const examples = join(__dirname, '..', '..', '..', 'examples');
const graphFiles = [
  ...readdirSync(examples)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(examples, f)),
  join(examples, 'federated-learning', 'fedavg.json'),
  join(examples, 'federated-learning', 'nebulafl.json'),
];

function compiledExample(file: string) {
  const graph = graphSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const ir = compile(graph, { clouds: defaultCloudProfiles }).ir;
  if (ir === undefined) throw new Error(`${file} does not compile`);
  return ir;
}

describe('workflowIRSchema (the IR as a message format)', () => {
  it.each(graphFiles)('reads back the compiled IR of %s unchanged', (file) => {
    const ir = compiledExample(file);
    // Parsing strips unknown keys: equality means the schema names every field the compiler writes.
    expect(workflowIRSchema.parse(JSON.parse(JSON.stringify(ir)))).toStrictEqual(ir);
  });

  it('refuses an IR with a missing field or an unknown function kind, naming where', () => {
    const ir = JSON.parse(JSON.stringify(compiledExample(graphFiles[0] as string)));
    const [name] = Object.keys(ir.functions);
    const broken = structuredClone(ir);
    delete broken.functions[name as string].homeStore;
    const missing = workflowIRSchema.safeParse(broken);
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(['functions', name, 'homeStore']);
    const unknownKind = structuredClone(ir);
    unknownKind.functions[name as string].kind = 'lambda';
    expect(workflowIRSchema.safeParse(unknownKind).success).toBe(false);
  });
});
