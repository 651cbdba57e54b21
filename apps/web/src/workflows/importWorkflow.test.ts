import { defaultCloudProfiles } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import { validateGraph } from '../document/validation';
import { aslImporter } from './aslImporter';
import { ImportError, importWorkflowText } from './importWorkflow';

describe('importWorkflowText', () => {
  it('reads a Jointflow graph and fills the defaults', () => {
    const graph = importWorkflowText(
      JSON.stringify({ name: 'g', nodes: [{ kind: 'task', name: 'a', code: 'x' }], edges: [] }),
      'g.json',
      aslImporter,
    );
    expect(graph.nodes[0]).toMatchObject({ name: 'a', cloud: 'auto', retries: 2 });
  });

  it('converts an AWS Step Functions definition', () => {
    const asl = {
      StartAt: 'First',
      States: {
        First: { Type: 'Task', Resource: 'arn:aws:lambda:::function:first', Next: 'Second' },
        Second: { Type: 'Task', Resource: 'arn:aws:lambda:::function:second', End: true },
      },
    };
    const graph = importWorkflowText(JSON.stringify(asl), 'flow.asl.json', aslImporter);
    expect(graph.nodes.length).toBeGreaterThanOrEqual(2);
    expect(graph.edges.length).toBeGreaterThanOrEqual(1);
  });

  it('reads a definition saved with a byte order mark; its stubs stay on the Problems panel', () => {
    const asl = {
      StartAt: 'First',
      States: { First: { Type: 'Task', Resource: 'arn:aws:lambda:::function:first', End: true } },
    };
    const graph = importWorkflowText(`\uFEFF${JSON.stringify(asl)}`, 'flow.asl.json', aslImporter);
    const stubs = () =>
      validateGraph(graph, defaultCloudProfiles).problems.filter((p) => p.code === 'ASL_TASK_STUB');
    expect(stubs()).toEqual([expect.objectContaining({ severity: 'warning', node: 'First' })]);
    // Once the call is written the warning goes away.
    const first = graph.nodes[0];
    if (first === undefined) throw new Error('no node');
    first.code = first.code.replace('  return input;\n}', '  return { called: true };\n}');
    expect(stubs()).toEqual([]);
  });

  it('refuses what is neither, with a code', () => {
    expect(() => importWorkflowText('{"hello": 1}', 'x.json', aslImporter)).toThrow(ImportError);
    expect(() => importWorkflowText('not json', 'x.json', aslImporter)).toThrow(
      /WEB_IMPORT_NOT_JSON/,
    );
  });
});
