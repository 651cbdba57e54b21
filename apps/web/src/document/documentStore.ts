import type { Graph } from '@jointflow/ir';
import { createStore } from 'zustand/vanilla';
import { emptyGraph, type GraphFragment } from './graphEdits';

const HISTORY_LIMIT = 200;
/** Edits with the same coalesce key within this window form one undo step (typing a name). */
const COALESCE_MS = 1000;

export interface Selection {
  nodes: string[];
  edges: string[];
}

export interface DocumentState {
  workflowId: string | null;
  graph: Graph;
  /** The graph as last saved, to show unsaved changes. */
  saved: Graph;
  past: Graph[];
  future: Graph[];
  selection: Selection;
  clipboard: GraphFragment | null;
  lastCoalesce: { key: string; at: number } | null;
}

export interface DocumentActions {
  load(workflowId: string | null, graph: Graph): void;
  markSaved(workflowId: string): void;
  /** Applies an edit; `coalesce` merges quick successive edits with the same key into one undo step. */
  apply(edit: (graph: Graph) => Graph, options?: { coalesce?: string }): void;
  undo(): void;
  redo(): void;
  select(selection: Selection): void;
  setClipboard(fragment: GraphFragment): void;
}

export type DocumentStore = DocumentState & DocumentActions;

/**
 * The editor document: the graph being edited plus its undo/redo history. A vanilla zustand
 * store so that tests and the canvas can use it without React; `useDocument` binds it.
 */
export function createDocumentStore(now: () => number = Date.now) {
  return createStore<DocumentStore>()((set, get) => {
    const record = (next: Graph, coalesce?: string) => {
      const state = get();
      if (next === state.graph) return;
      const at = now();
      const merge =
        coalesce !== undefined &&
        state.lastCoalesce?.key === coalesce &&
        at - state.lastCoalesce.at < COALESCE_MS;
      set({
        graph: next,
        past: merge ? state.past : [...state.past, state.graph].slice(-HISTORY_LIMIT),
        future: [],
        lastCoalesce: coalesce === undefined ? null : { key: coalesce, at },
      });
    };
    return {
      workflowId: null,
      graph: emptyGraph('untitled'),
      saved: emptyGraph('untitled'),
      past: [],
      future: [],
      selection: { nodes: [], edges: [] },
      clipboard: null,
      lastCoalesce: null,
      load: (workflowId, graph) =>
        set({
          workflowId,
          graph,
          saved: graph,
          past: [],
          future: [],
          selection: { nodes: [], edges: [] },
          lastCoalesce: null,
        }),
      markSaved: (workflowId) => set({ workflowId, saved: get().graph }),
      apply: (edit, options) => record(edit(get().graph), options?.coalesce),
      undo: () => {
        const { past, future, graph } = get();
        const previous = past[past.length - 1];
        if (previous === undefined) return;
        set({
          graph: previous,
          past: past.slice(0, -1),
          future: [graph, ...future],
          lastCoalesce: null,
        });
      },
      redo: () => {
        const { past, future, graph } = get();
        const next = future[0];
        if (next === undefined) return;
        set({ graph: next, past: [...past, graph], future: future.slice(1), lastCoalesce: null });
      },
      select: (selection) => set({ selection }),
      setClipboard: (clipboard) => set({ clipboard }),
    };
  });
}

export type DocumentStoreApi = ReturnType<typeof createDocumentStore>;
