import { graphSchema } from '@jointflow/ir';
import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/apiClient';
import { cloudColor, queryKeys, useClouds } from '../api/queries';
import { Canvas } from '../designer/Canvas';
import { type ThemeProps, ThemeToggle } from '../ThemeToggle';
import { navigate, routeHref } from '../useHashRoute';
import { EventTable } from './EventTable';
import { Timeline } from './Timeline';
import { useRunTrace } from './useRunTrace';

function preview(value: unknown): string {
  if (value === undefined) return '—';
  const text = JSON.stringify(value, null, 2);
  return text.length > 20_000 ? `${text.slice(0, 20_000)}\n…` : text;
}

function formatUsd(usd: number): string {
  return usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toExponential(2)}` : `$${usd.toFixed(4)}`;
}

const noSelection = { nodes: [], edges: [] };

/** An execution, live: statuses on the graph, timeline, events, the selected instance, cost. */
export function RunView({
  workflowId,
  executionId,
  theme,
}: ThemeProps & { workflowId: string; executionId: string }) {
  const clouds = useClouds();
  // The list refetches when the open execution completes, so its status there is current.
  const [completedStatus, setCompletedStatus] = useState<string | undefined>(undefined);
  const executions = useQuery({
    queryKey: [...queryKeys.executions(workflowId), completedStatus],
    queryFn: () => api.listExecutions(workflowId),
    refetchInterval: 5000,
  });
  // `latest` opens the newest execution of the workflow.
  useEffect(() => {
    const newest = executions.data?.[0];
    if (executionId === 'latest' && newest)
      navigate({ page: 'run', workflowId, executionId: newest.id });
  }, [executionId, executions.data, workflowId]);
  const resolved = executionId === 'latest' ? null : executionId;

  const workflow = useQuery({
    queryKey: queryKeys.workflow(workflowId),
    queryFn: () => api.getWorkflow(workflowId),
  });
  const graph = useMemo(() => {
    const parsed = graphSchema.safeParse(workflow.data?.graph);
    return parsed.success ? parsed.data : undefined;
  }, [workflow.data]);

  const { trace, version, live, error } = useRunTrace(resolved);
  useEffect(() => setCompletedStatus(trace.completion?.status), [trace.completion?.status]);
  const execution = useQuery({
    queryKey: [...queryKeys.execution(resolved ?? ''), trace.completion?.status ?? 'running'],
    queryFn: () => api.getExecution(resolved ?? ''),
    enabled: resolved !== null,
  });
  const [selected, setSelected] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the trace mutates in place; version says when
  const nodeStatus = useMemo(() => trace.nodeSummaries(), [trace, version]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: as above
  const costByCloud = useMemo(() => [...trace.costByCloud].sort(), [trace, version]);
  const instance = selected ? trace.instances.get(selected) : undefined;
  const status =
    trace.completion?.status ?? execution.data?.status ?? (live ? 'running' : 'unknown');
  const result = trace.completion?.result ?? execution.data?.result;
  const failure = trace.completion?.error ?? execution.data?.error;

  return (
    <div className="run-view">
      <header className="toolbar">
        <a href="#/" className="brand" aria-label="All workflows">
          Jointflow
        </a>
        <a href={routeHref({ page: 'designer', workflowId })}>{graph?.name ?? 'workflow'}</a>
        <span className="muted">run {resolved ?? '…'}</span>
        <span className={`status status-${status}`} data-testid="execution-status">
          {status}
        </span>
        {live && <span className="live-dot" title="Following live" role="img" aria-label="live" />}
        <span className="spacer" />
        <span data-testid="makespan">makespan {trace.makespanMs} ms</span>
        <span data-testid="cost">cost {formatUsd(trace.totalCostUsd)}</span>
        {costByCloud.map(([cloud, cost]) => (
          <span
            key={cloud}
            className="cloud-badge"
            style={{ backgroundColor: cloudColor(clouds, cloud) }}
          >
            {`${cloud} ${formatUsd(cost)}`}
          </span>
        ))}
        <ThemeToggle theme={theme} />
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="run-body">
        <nav className="executions" aria-label="Executions">
          <h2>Runs</h2>
          <ul>
            {executions.data?.map((e) => (
              <li key={e.id}>
                <a
                  href={routeHref({ page: 'run', workflowId, executionId: e.id })}
                  aria-current={e.id === resolved ? 'page' : undefined}
                >
                  <span className={`status status-${e.status}`}>{e.status}</span> {e.id}
                </a>
              </li>
            ))}
            {executions.data?.length === 0 && (
              <li className="muted">No runs yet: deploy and run from the designer.</li>
            )}
          </ul>
        </nav>
        <div className="run-main">
          <div className="run-graph">
            {graph && (
              <ReactFlowProvider>
                <Canvas
                  graph={graph}
                  clouds={clouds}
                  selection={noSelection}
                  run={nodeStatus}
                  dark={theme.dark}
                />
              </ReactFlowProvider>
            )}
          </div>
          <Timeline
            trace={trace}
            version={version}
            clouds={clouds}
            selected={selected}
            onSelect={setSelected}
          />
          <EventTable trace={trace} version={version} onSelect={setSelected} />
        </div>
        <aside className="run-details" aria-label="Details">
          <section aria-label="Result">
            <h2>Result</h2>
            {status === 'succeeded' && <pre data-testid="execution-result">{preview(result)}</pre>}
            {status === 'failed' && <pre className="error">{preview(failure)}</pre>}
            {status !== 'succeeded' && status !== 'failed' && <p className="muted">Running…</p>}
          </section>
          <section aria-label="Instance">
            <h2>Instance</h2>
            {instance ? (
              <>
                <p>
                  <code>{instance.instance}</code> on{' '}
                  <span
                    className="cloud-badge"
                    style={{ backgroundColor: cloudColor(clouds, instance.cloud) }}
                  >
                    {instance.cloud}
                  </span>{' '}
                  <span className={`status status-${instance.status}`}>{instance.status}</span>
                </p>
                <p className="muted">
                  {`${instance.attempts} attempt(s)`}
                  {instance.durationMs !== undefined ? ` · ${instance.durationMs} ms` : ''}
                  {instance.failedOverTo ? ` · failed over to ${instance.failedOverTo}` : ''}
                  {` · ${formatUsd(instance.costUsd)}`}
                </p>
                <h3>Input</h3>
                <pre>{preview(instance.input)}</pre>
                <h3>Output</h3>
                <pre>{preview(instance.output)}</pre>
                {instance.error && (
                  <>
                    <h3>Error</h3>
                    <pre className="error">{instance.error.stack ?? instance.error.message}</pre>
                  </>
                )}
              </>
            ) : (
              <p className="muted">Select a bar in the timeline or a row in the events.</p>
            )}
          </section>
        </aside>
      </div>
    </div>
  );
}
