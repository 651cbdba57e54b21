import { type Graph, graphSchema, type NodeKind } from '@jointflow/ir';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api/apiClient';
import { queryKeys, useClouds } from '../api/queries';
import { DeployDialog } from '../deploy/DeployDialog';
import { autoLayout, layoutOnOpen } from '../document/autoLayout';
import {
  addNode,
  connect,
  copyFragment,
  createNode,
  moveNodes,
  pasteFragment,
  removeElements,
} from '../document/graphEdits';
import { documentStore, useDocument } from '../document/useDocument';
import { useStepCodeCheck } from '../document/useStepCodeCheck';
import { useValidation } from '../document/useValidation';
import { type Problem, withCodeProblems } from '../document/validation';
import { type ThemeProps, ThemeToggle } from '../ThemeToggle';
import { setLeaveGuard } from '../useHashRoute';
import { downloadJson } from '../workflows/importWorkflow';
import { Canvas, type CanvasEditing } from './Canvas';
import { CodeView } from './CodeView';
import { CONNECT_SELECT_ID, Inspector } from './Inspector';
import { KeyboardHelp } from './KeyboardHelp';
import { Palette } from './Palette';
import { ProblemsPanel } from './ProblemsPanel';
import { useShortcuts } from './useShortcuts';

const PASTE_OFFSET = { x: 40, y: 40 };

function applySelectChanges(
  current: string[],
  changes: { id: string; selected: boolean }[],
): string[] {
  const next = new Set(current);
  for (const change of changes) {
    if (change.selected) next.add(change.id);
    else next.delete(change.id);
  }
  return [...next];
}

const editing: CanvasEditing = {
  onMoveEnd(positions) {
    documentStore.getState().apply((graph) => moveNodes(graph, positions));
  },
  onSelectChanges(kind, changes) {
    const { selection, select } = documentStore.getState();
    select({ ...selection, [kind]: applySelectChanges(selection[kind], changes) });
  },
  onConnect(source, target) {
    documentStore.getState().apply((graph) => connect(graph, source, target));
  },
  onDelete(nodes, edges) {
    const store = documentStore.getState();
    store.apply((graph) => removeElements(graph, nodes, edges));
    store.select({ nodes: [], edges: [] });
  },
  onDropKind(kind, position) {
    addKind(kind, position);
  },
};

function addKind(kind: NodeKind, position: { x: number; y: number }) {
  const store = documentStore.getState();
  const node = createNode(store.graph, kind, position);
  store.apply((graph) => addNode(graph, node));
  store.select({ nodes: [node.name], edges: [] });
}

function showProblem(problem: Problem) {
  if (problem.node) documentStore.getState().select({ nodes: [problem.node], edges: [] });
  else if (problem.edge) documentStore.getState().select({ nodes: [], edges: [problem.edge] });
}

function pasteClipboard() {
  const store = documentStore.getState();
  if (!store.clipboard) return;
  const { graph, pasted } = pasteFragment(store.graph, store.clipboard, PASTE_OFFSET);
  store.apply(() => graph);
  store.select({ nodes: pasted, edges: [] });
}

export function Designer({ workflowId, theme }: ThemeProps & { workflowId: string }) {
  return (
    <ReactFlowProvider>
      <DesignerBody workflowId={workflowId} theme={theme} />
    </ReactFlowProvider>
  );
}

function DesignerBody({ workflowId, theme }: ThemeProps & { workflowId: string }) {
  const queryClient = useQueryClient();
  const flow = useReactFlow();
  const clouds = useClouds();
  const workflow = useQuery({
    queryKey: queryKeys.workflow(workflowId),
    queryFn: () => api.getWorkflow(workflowId),
  });
  const [loadError, setLoadError] = useState<string | null>(null);
  const [view, setView] = useState<'canvas' | 'code'>('canvas');
  const [deploying, setDeploying] = useState<{ version?: string | number } | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const graph = useDocument((s) => s.graph);
  const saved = useDocument((s) => s.saved);
  const selection = useDocument((s) => s.selection);
  const canUndo = useDocument((s) => s.past.length > 0);
  const canRedo = useDocument((s) => s.future.length > 0);
  const loadedId = useDocument((s) => s.workflowId);
  const graphValidation = useValidation(graph, clouds);
  const codeCheck = useStepCodeCheck(graph);
  const validation = useMemo(
    () => withCodeProblems(graphValidation, codeCheck.problems),
    [graphValidation, codeCheck.problems],
  );
  const [helpOpen, setHelpOpen] = useState(false);

  useEffect(() => {
    if (!workflow.data || loadedId === workflowId) return;
    const parsed = graphSchema.safeParse(workflow.data.graph);
    if (!parsed.success) {
      setLoadError(
        `WEB_STORED_GRAPH_INVALID: the stored graph does not parse (${parsed.error.issues[0]?.message ?? ''})`,
      );
      return;
    }
    // Examples, ASL imports and hand-written graphs carry no positions: lay them out before the
    // first paint. The layout is the document's starting point (no undo step, not "unsaved"),
    // and goes to the server with the next save.
    documentStore.getState().load(workflowId, layoutOnOpen(parsed.data));
    // React Flow queues a fit until nodes are measured: on an empty graph it would zoom onto the
    // first dropped node, so only fit a graph that has nodes.
    if (parsed.data.nodes.length > 0)
      requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1 }));
  }, [workflow.data, workflowId, loadedId, flow]);

  const save = useMutation({
    mutationFn: async (doc: Graph) => {
      const result = await api.updateWorkflow(workflowId, doc.name, doc);
      return { result, doc };
    },
    onSuccess: ({ result, doc }) => {
      if (documentStore.getState().graph === doc) documentStore.getState().markSaved(workflowId);
      else documentStore.setState({ saved: doc });
      setMessage(`Saved version ${result.version ?? ''}`.trim());
      void queryClient.invalidateQueries({ queryKey: queryKeys.workflows });
    },
    onError: (error) => setMessage(error.message),
  });

  // The canvas remounts when the code view closes: fit it again.
  useEffect(() => {
    if (view !== 'canvas' || documentStore.getState().graph.nodes.length === 0) return;
    const frame = requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1 }));
    return () => cancelAnimationFrame(frame);
  }, [view, flow]);

  const dirty = graph !== saved;

  // Leaving with unsaved changes asks first: closing or reloading the tab (beforeunload) and
  // in-app navigation (links, back/forward) alike.
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older Chromium needs returnValue set to show the prompt.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    setLeaveGuard(() =>
      window.confirm(
        `"${documentStore.getState().graph.name}" has unsaved changes. Leave without saving them?`,
      ),
    );
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      setLeaveGuard(null);
    };
  }, [dirty]);
  const addAtCenter = useCallback(
    (kind: NodeKind) => {
      const center = flow.screenToFlowPosition({
        x: window.innerWidth / 2,
        y: window.innerHeight / 2,
      });
      addKind(kind, { x: Math.round(center.x), y: Math.round(center.y) });
    },
    [flow],
  );
  const ready = loadedId === workflowId;

  const handlers = useMemo(
    () => ({
      undo: () => documentStore.getState().undo(),
      redo: () => documentStore.getState().redo(),
      copy: () => {
        const store = documentStore.getState();
        if (store.selection.nodes.length > 0)
          store.setClipboard(copyFragment(store.graph, store.selection.nodes));
      },
      paste: pasteClipboard,
      duplicate: () => {
        const store = documentStore.getState();
        if (store.selection.nodes.length === 0) return;
        store.setClipboard(copyFragment(store.graph, store.selection.nodes));
        pasteClipboard();
      },
      save: () => save.mutate(documentStore.getState().graph),
      deleteSelection: () => {
        const { selection } = documentStore.getState();
        if (selection.nodes.length > 0 || selection.edges.length > 0)
          editing.onDelete(selection.nodes, selection.edges);
      },
      help: () => setHelpOpen(true),
      connect: () => document.getElementById(CONNECT_SELECT_ID)?.focus(),
    }),
    [save],
  );
  useShortcuts(handlers);

  const onDeploy = async () => {
    setMessage(null);
    try {
      let version = workflow.data?.version;
      if (dirty) {
        const { result } = await save.mutateAsync(graph);
        version = result.version;
      }
      setDeploying({ version });
    } catch {
      // the save mutation already reported the error
    }
  };

  if (loadError || workflow.error) {
    return (
      <main className="list-page">
        <p role="alert" className="error">
          {loadError ?? workflow.error?.message}
        </p>
        <a href="#/">Back to workflows</a>
      </main>
    );
  }

  return (
    <div className="designer">
      <header className="toolbar">
        <a href="#/" className="brand" aria-label="Jointflow: all workflows">
          Jointflow
        </a>
        <h1 className="workflow-name">
          {graph.name}
          {dirty && (
            <span className="muted" title="Unsaved changes">
              {' '}
              •
            </span>
          )}
        </h1>
        <button type="button" onClick={handlers.undo} disabled={!canUndo} title="Ctrl/Cmd+Z">
          Undo
        </button>
        <button type="button" onClick={handlers.redo} disabled={!canRedo} title="Ctrl/Cmd+Shift+Z">
          Redo
        </button>
        <button
          type="button"
          onClick={() => {
            documentStore.getState().apply(autoLayout);
            requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1 }));
          }}
        >
          Auto layout
        </button>
        <button type="button" onClick={() => void flow.fitView({ padding: 0.2, maxZoom: 1 })}>
          Fit view
        </button>
        <button type="button" onClick={() => downloadJson(`${graph.name}.json`, graph)}>
          Export
        </button>
        <button
          type="button"
          aria-pressed={view === 'code'}
          onClick={() => setView(view === 'code' ? 'canvas' : 'code')}
        >
          {view === 'code' ? 'Show canvas' : 'Show code'}
        </button>
        <button type="button" onClick={handlers.save} disabled={save.isPending} title="Ctrl/Cmd+S">
          Save
        </button>
        <button
          type="button"
          onClick={handlers.help}
          aria-keyshortcuts="?"
          title="Keyboard shortcuts (?)"
        >
          Shortcuts
        </button>
        <span className="spacer" />
        {message && (
          <span className="muted" role="status">
            {message}
          </span>
        )}
        <a href={`#/workflows/${encodeURIComponent(workflowId)}/runs/latest`}>Runs</a>
        <ThemeToggle theme={theme} />
        <button
          type="button"
          className="primary"
          onClick={() => void onDeploy()}
          disabled={!ready || validation.hasErrors || codeCheck.pending || save.isPending}
          title={
            validation.hasErrors
              ? 'Fix the problems first'
              : codeCheck.pending
                ? 'Checking the step code…'
                : 'Deploy this workflow'
          }
        >
          Deploy
        </button>
      </header>
      <div className="designer-body">
        <Palette onAdd={addAtCenter} />
        <main className="designer-main">
          {view === 'canvas' ? (
            <Canvas
              graph={graph}
              clouds={clouds}
              selection={selection}
              errorNodes={validation.errorNodes}
              errorEdges={validation.errorEdges}
              placement={validation.placement}
              editing={editing}
              dark={theme.dark}
            />
          ) : (
            <CodeView graph={graph} ir={validation.ir} dark={theme.dark} />
          )}
          <ProblemsPanel problems={validation.problems} onShow={showProblem} />
        </main>
        <Inspector graph={graph} selection={selection} clouds={clouds} dark={theme.dark} />
      </div>
      {helpOpen && <KeyboardHelp onClose={() => setHelpOpen(false)} />}
      {deploying && (
        <DeployDialog
          workflowId={workflowId}
          version={deploying.version}
          graph={graph}
          clouds={clouds}
          onClose={() => setDeploying(null)}
        />
      )}
    </div>
  );
}
