import { defaultCloudProfiles, type GraphNode, runnableTriggerKinds } from '@jointflow/ir';
import { describe, expect, it } from 'vitest';
import {
  addNode,
  connect,
  copyFragment,
  createNode,
  emptyGraph,
  pasteFragment,
  renameNode,
  updateNode,
} from './graphEdits';
import { validateGraph } from './validation';

/**
 * resize → replicas (map) → classify → trigger (collects the map) → average: the replicas race
 * into the trigger, as in the ml-pipeline example.
 */
function race() {
  let g = emptyGraph('race');
  g = addNode(g, { ...createNode(g, 'task', { x: 0, y: 0 }), name: 'resize' } as GraphNode);
  g = addNode(g, { ...createNode(g, 'map', { x: 200, y: 0 }), name: 'replicas' } as GraphNode);
  g = addNode(g, { ...createNode(g, 'task', { x: 400, y: 0 }), name: 'classify' } as GraphNode);
  g = addNode(g, createNode(g, 'trigger', { x: 600, y: 0 }));
  g = updateNode(g, 'trigger', { fanOut: 'replicas' } as Partial<GraphNode>);
  g = addNode(g, { ...createNode(g, 'task', { x: 800, y: 0 }), name: 'average' } as GraphNode);
  for (const [from, to] of [
    ['resize', 'replicas'],
    ['replicas', 'classify'],
    ['classify', 'trigger'],
    ['trigger', 'average'],
  ] as const) {
    g = connect(g, from, to);
  }
  return g;
}

describe('a trigger step in the designer', () => {
  it('starts as a runnable kind that compiles once wired', () => {
    const g = race();
    const trigger = g.nodes.find((n) => n.name === 'trigger');
    expect(trigger?.kind === 'trigger' && trigger.trigger).toEqual({ type: 'k-of-n', k: 1, n: 2 });
    expect(trigger?.kind === 'trigger' && runnableTriggerKinds.includes(trigger.trigger.type)).toBe(
      true,
    );
    const v = validateGraph(g, defaultCloudProfiles);
    expect(v.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('with k > n is an error on the step in the Problems panel, blocking Deploy', () => {
    const g = updateNode(race(), 'trigger', {
      trigger: { type: 'k-of-n', k: 5, n: 4 },
    } as Partial<GraphNode>);
    const v = validateGraph(g, defaultCloudProfiles);
    expect(v.hasErrors).toBe(true);
    expect(v.errorNodes.has('trigger')).toBe(true);
    expect(v.problems.map((p) => p.code)).toContain('IR_TRIGGER_PARAMS');
  });

  it('keeps its fanOut through a rename of the map and a paste', () => {
    let g = emptyGraph('m');
    g = addNode(g, createNode(g, 'map', { x: 0, y: 0 }));
    g = addNode(g, {
      ...createNode(g, 'trigger', { x: 200, y: 0 }),
      fanOut: 'map',
    } as GraphNode);
    g = renameNode(g, 'map', 'replicas');
    const trigger = g.nodes.find((n) => n.kind === 'trigger');
    expect(trigger?.kind === 'trigger' && trigger.fanOut).toBe('replicas');
    const { graph: pasted, pasted: names } = pasteFragment(
      g,
      copyFragment(g, ['replicas', 'trigger']),
      { x: 10, y: 10 },
    );
    const copy = pasted.nodes.find((n) => n.name === names[1]);
    expect(copy?.kind === 'trigger' && copy.fanOut).toBe(names[0]);
  });
});
