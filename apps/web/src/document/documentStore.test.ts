import { describe, expect, it } from 'vitest';
import { createDocumentStore } from './documentStore';
import {
  addNode,
  connect,
  copyFragment,
  createNode,
  moveNodes,
  pasteFragment,
  removeElements,
  renameNode,
} from './graphEdits';

describe('document store', () => {
  it('undoes and redoes edits, and a new edit clears the redo stack', () => {
    const store = createDocumentStore();
    const { apply } = store.getState();
    apply((g) => addNode(g, createNode(g, 'task', { x: 0, y: 0 })));
    apply((g) => addNode(g, createNode(g, 'task', { x: 100, y: 0 })));
    expect(store.getState().graph.nodes.map((n) => n.name)).toEqual(['task', 'task1']);
    store.getState().undo();
    expect(store.getState().graph.nodes.map((n) => n.name)).toEqual(['task']);
    store.getState().redo();
    expect(store.getState().graph.nodes).toHaveLength(2);
    store.getState().undo();
    apply((g) => addNode(g, createNode(g, 'map', { x: 0, y: 0 })));
    expect(store.getState().future).toEqual([]);
    store.getState().redo();
    expect(store.getState().graph.nodes.map((n) => n.name)).toEqual(['task', 'map']);
  });

  it('coalesces quick edits with the same key and turns a drag into one undo step', () => {
    let clock = 0;
    const store = createDocumentStore(() => clock);
    const s = () => store.getState();
    s().apply((g) => addNode(g, createNode(g, 'task', { x: 0, y: 0 })));
    s().apply((g) => renameNode(g, 'task', 'a'), { coalesce: 'name' });
    clock += 100;
    s().apply((g) => renameNode(g, 'a', 'ab'), { coalesce: 'name' });
    expect(s().past).toHaveLength(2);
    // The canvas holds a drag's positions and commits them once, on drag stop.
    const before = s().graph;
    s().apply((g) => moveNodes(g, new Map([['ab', { x: 5.4, y: -0.6 }]])));
    expect(s().graph.nodes[0]?.position).toEqual({ x: 5, y: -1 });
    expect(moveNodes(before, new Map())).toBe(before);
    expect(s().past).toHaveLength(3);
    s().undo();
    expect(s().graph.nodes[0]?.position).toEqual({ x: 0, y: 0 });
    s().undo();
    expect(s().graph.nodes[0]?.name).toBe('task');
  });
});

describe('graph edits', () => {
  it('renames follow into edges and joins; removing a node drops its edges', () => {
    let g = createDocumentStore().getState().graph;
    g = addNode(g, createNode(g, 'map', { x: 0, y: 0 }));
    g = addNode(g, createNode(g, 'join', { x: 0, y: 0 }));
    g = connect(g, 'map', 'join');
    g = renameNode(g, 'map', 'fan');
    expect(g.edges[0]).toMatchObject({ source: 'fan', target: 'join' });
    expect(g.nodes.find((n) => n.kind === 'join')).toMatchObject({ fanOut: 'fan' });
    expect(removeElements(g, ['fan'], []).edges).toEqual([]);
  });

  it('pastes a copy with fresh names and internal edges renamed', () => {
    let g = createDocumentStore().getState().graph;
    g = addNode(g, createNode(g, 'task', { x: 0, y: 0 }));
    g = addNode(g, createNode(g, 'task', { x: 0, y: 0 }));
    g = connect(g, 'task', 'task1');
    const { graph, pasted } = pasteFragment(g, copyFragment(g, ['task', 'task1']), {
      x: 40,
      y: 40,
    });
    expect(pasted).toEqual(['task2', 'task3']);
    expect(graph.edges.map((e) => `${e.source}>${e.target}`)).toEqual([
      'task>task1',
      'task2>task3',
    ]);
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(2);
  });
});
