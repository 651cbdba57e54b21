import { graphSchema } from '@jointflow/ir';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../api/apiClient';
import { queryKeys } from '../api/queries';
import { formatMs } from '../run/duration';
import { formatUsd } from '../run/money';
import { type ThemeProps, ThemeToggle } from '../ThemeToggle';
import { navigate, routeHref } from '../useHashRoute';
import { usePagedRuns } from './usePagedRuns';

function startedText(at: string | number | null | undefined): string {
  if (at === null || at === undefined) return '—';
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? String(at) : date.toLocaleString();
}

/**
 * Every run of a workflow, newest first, paged: start time, duration, status, cost and a
 * summary of the input. Open any run; tick two to compare them side by side.
 */
export function RunsList({ workflowId, theme }: ThemeProps & { workflowId: string }) {
  const workflow = useQuery({
    queryKey: queryKeys.workflow(workflowId),
    queryFn: () => api.getWorkflow(workflowId),
  });
  const name = graphSchema.safeParse(workflow.data?.graph).data?.name ?? workflow.data?.name;
  const { runs, isLoading, error, hasMore, loadingMore, loadMore } = usePagedRuns(workflowId);
  const [picked, setPicked] = useState<string[]>([]);
  const caption = useId();
  const toggle = (id: string) =>
    setPicked((current) =>
      current.includes(id) ? current.filter((p) => p !== id) : [...current, id].slice(-2),
    );
  const [a, b] = picked;
  return (
    <div className="list-page runs-page">
      <header className="toolbar">
        <a href="#/" className="brand" aria-label="Jointflow: all workflows">
          Jointflow
        </a>
        <a href={routeHref({ page: 'designer', workflowId })}>{name ?? 'workflow'}</a>
        <h1 className="workflow-name">Runs</h1>
        <span className="spacer" />
        <button
          type="button"
          className="primary"
          disabled={a === undefined || b === undefined}
          onClick={() => {
            if (a && b) navigate({ page: 'compare', workflowId, a, b });
          }}
        >
          Compare selected
        </button>
        <ThemeToggle theme={theme} />
      </header>
      <main className="runs-main">
        {error && (
          <p role="alert" className="error">
            {error.message}
          </p>
        )}
        <p className="muted" id={caption}>
          Tick two runs to compare them. Newest first.
        </p>
        <table className="runs-table" aria-describedby={caption}>
          <thead>
            <tr>
              <th scope="col">compare</th>
              <th scope="col">run</th>
              <th scope="col">started</th>
              <th scope="col">duration</th>
              <th scope="col">status</th>
              <th scope="col">cost</th>
              <th scope="col">input</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-testid={`run-row-${run.id}`}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Compare ${run.id}`}
                    checked={picked.includes(run.id)}
                    onChange={() => toggle(run.id)}
                  />
                </td>
                <td>
                  <a href={routeHref({ page: 'run', workflowId, executionId: run.id })}>
                    <code>{run.id}</code>
                  </a>
                </td>
                <td>{startedText(run.startedAt)}</td>
                <td>{run.makespanMs == null ? '—' : formatMs(run.makespanMs)}</td>
                <td>
                  <span className={`status status-${run.status}`}>{run.status}</span>
                  {run.redrives ? (
                    <span className="muted">{` redriven ${run.redrives}×`}</span>
                  ) : null}
                </td>
                <td>{formatUsd(run.costUsd ?? 0)}</td>
                <td>
                  <code className="input-summary">{run.inputSummary ?? ''}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {isLoading && <p className="muted">Loading…</p>}
        {!isLoading && runs.length === 0 && (
          <p className="muted">No runs yet: deploy and run from the designer.</p>
        )}
        {hasMore && (
          <button type="button" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
        <p
          className="muted"
          data-testid="runs-count"
        >{`${runs.length} run(s) shown${hasMore ? '; more to load' : ''}`}</p>
      </main>
    </div>
  );
}
