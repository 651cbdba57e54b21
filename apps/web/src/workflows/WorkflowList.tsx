import { graphSchema } from '@jointflow/ir';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { api } from '../api/apiClient';
import { queryKeys } from '../api/queries';
import { clearToken } from '../api/token';
import { usePagedList } from '../api/usePagedList';
import { emptyGraph } from '../document/graphEdits';
import { type ThemeProps, ThemeToggle } from '../ThemeToggle';
import { navigate } from '../useHashRoute';
import { aslImporter } from './aslImporter';
import { downloadJson, importWorkflowText } from './importWorkflow';

export function WorkflowList({ theme, onSignOut }: ThemeProps & { onSignOut(): void }) {
  const queryClient = useQueryClient();
  // Under queryKeys.workflows, so every invalidation of the list (save, create, delete) reaches it.
  const workflows = usePagedList([...queryKeys.workflows, 'paged'], api.listWorkflowsPage);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const create = useMutation({
    mutationFn: async (graph: ReturnType<typeof emptyGraph>) =>
      api.createWorkflow(graph.name, graph),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.workflows });
      navigate({ page: 'designer', workflowId: saved.id });
    },
    onError: (e) => setError(e.message),
  });
  const remove = useMutation({
    mutationFn: api.deleteWorkflow,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workflows }),
    onError: (e) => setError(e.message),
  });

  const onImport = async (file: File) => {
    setError(null);
    try {
      const graph = importWorkflowText(await file.text(), file.name, aslImporter);
      create.mutate(graph);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const onExport = async (id: string, fileName: string) => {
    try {
      const workflow = await api.getWorkflow(id);
      downloadJson(`${fileName}.json`, graphSchema.parse(workflow.graph));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  if (workflows.error && 'status' in workflows.error && workflows.error.status === 401) {
    return (
      <main className="list-page">
        <p role="alert">
          The stored API token was refused. Open the URL `jointflow up` printed, or enter the token
          again.
        </p>
        <button
          type="button"
          onClick={() => {
            clearToken();
            onSignOut();
          }}
        >
          Enter token
        </button>
      </main>
    );
  }

  return (
    <main className="list-page">
      <header className="toolbar">
        <h1>Jointflow</h1>
        <span className="spacer" />
        <ThemeToggle theme={theme} />
      </header>
      <section className="list-actions" aria-label="New workflow">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const trimmed = name.trim();
            if (trimmed) create.mutate(emptyGraph(trimmed));
          }}
        >
          <label>
            Workflow name{' '}
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="my-workflow"
            />
          </label>
          <button type="submit" disabled={!name.trim() || create.isPending}>
            Create
          </button>
        </form>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,.asl.json,application/json"
          aria-label="Import file"
          hidden
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void onImport(file);
            event.target.value = '';
          }}
        />
        <span className="hint">
          Import takes a Jointflow graph or an AWS Step Functions (ASL) definition.
        </span>
      </section>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {workflows.isLoading && <p>Loading workflows…</p>}
      {workflows.error && (
        <p role="alert" className="error">
          {workflows.error.message}
        </p>
      )}
      <ul className="workflow-list" aria-label="Workflows">
        {workflows.items.map((workflow) => (
          <li key={workflow.id}>
            <a href={`#/workflows/${encodeURIComponent(workflow.id)}`}>{workflow.name}</a>
            <span className="muted">
              {workflow.version !== undefined ? `v${workflow.version}` : ''}
            </span>
            <span className="spacer" />
            <button
              type="button"
              className="ghost"
              aria-label={`Download ${workflow.name}`}
              onClick={() => void onExport(workflow.id, workflow.name)}
            >
              Download
            </button>
            <button
              type="button"
              className="ghost danger"
              aria-label={`Delete ${workflow.name}`}
              onClick={() => {
                if (window.confirm(`Delete workflow "${workflow.name}"?`))
                  remove.mutate(workflow.id);
              }}
            >
              Delete
            </button>
          </li>
        ))}
        {!workflows.isLoading && !workflows.error && workflows.items.length === 0 && (
          <li className="muted">No workflows yet: create one or import a file.</li>
        )}
      </ul>
      {workflows.hasMore && (
        <button
          type="button"
          className="load-more"
          onClick={workflows.loadMore}
          disabled={workflows.isLoadingMore}
        >
          {workflows.isLoadingMore
            ? 'Loading…'
            : `Load more workflows (showing ${workflows.items.length})`}
        </button>
      )}
    </main>
  );
}
