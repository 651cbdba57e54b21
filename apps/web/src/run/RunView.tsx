import { graphSchema } from '@jointflow/ir';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/apiClient';
import { cloudColor, queryKeys, useClouds } from '../api/queries';
import { type ThemeProps, ThemeToggle } from '../ThemeToggle';
import { navigate, routeHref } from '../useHashRoute';
import { CloudBadge } from './CloudBadge';
import { formatMs } from './duration';
import { EventTable } from './EventTable';
import { mapBodies } from './mapBodies';
import { formatUsd } from './money';
import { RunGraph } from './RunGraph';
import { runApi } from './runApi';
import { InstanceDetails, preview, StepPanel } from './StepPanel';
import { StepsTable } from './StepsTable';
import { Timeline } from './Timeline';
import { TriggerDetails } from './TriggerDetails';
import { useFanOuts } from './useFanOuts';
import { useRunTrace } from './useRunTrace';
import { useTriggerStates } from './useTriggerStates';
import { elsewhereSteps } from './windowRuns';

type Tab = 'timeline' | 'steps' | 'events';

/**
 * An execution, live: counts per step on the graph, a timeline, per-step numbers, the event
 * table, the selected step and instance, makespan and cost; redrive a failed run, or run again.
 */
export function RunView({
  workflowId,
  executionId,
  theme,
}: ThemeProps & { workflowId: string; executionId: string }) {
  const clouds = useClouds();
  const queryClient = useQueryClient();
  const [completedStatus, setCompletedStatus] = useState<string | undefined>(undefined);
  const executions = useQuery({
    queryKey: [...queryKeys.executions(workflowId), 'recent', completedStatus],
    queryFn: () => runApi.listRuns(workflowId, undefined, 10),
    refetchInterval: 5000,
  });
  // `latest` opens the newest execution of the workflow.
  useEffect(() => {
    const newest = executions.data?.items[0];
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

  const [generation, setGeneration] = useState(0);
  const { trace, version, live, error, refresh } = useRunTrace(resolved, generation);
  useEffect(() => setCompletedStatus(trace.completion?.status), [trace.completion?.status]);
  const execution = useQuery({
    queryKey: [
      ...queryKeys.execution(resolved ?? ''),
      trace.completion?.status ?? 'running',
      generation,
    ],
    queryFn: () => runApi.getExecution(resolved ?? ''),
    enabled: resolved !== null,
  });
  const deploymentId = execution.data?.deploymentId ?? undefined;
  const placement = useQuery({
    queryKey: ['deployment-placement', deploymentId],
    queryFn: () => runApi.deploymentPlacement(deploymentId ?? ''),
    enabled: deploymentId !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const mapNodes = useMemo(
    () => new Set(graph?.nodes.filter((n) => n.kind === 'map').map((n) => n.name) ?? []),
    [graph],
  );
  useFanOuts(resolved, trace, version, mapNodes, live, refresh);
  const bodies = useMemo(() => (graph ? mapBodies(graph) : new Map<string, string>()), [graph]);

  const [selectedStep, setSelectedStep] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('timeline');
  const [redrive, setRedrive] = useState<{ busy: boolean; error?: string }>({ busy: false });

  // biome-ignore lint/correctness/useExhaustiveDependencies: the trace mutates in place; version says when
  const summaries = useMemo(
    () => trace.stepSummaries(bodies),
    [trace, version, trace.version, bodies],
  );
  const triggers = useTriggerStates(trace, version, graph);
  const selectedTrigger = selectedStep ? triggers.get(selectedStep) : undefined;
  const elsewhere = useMemo(
    () => (graph && resolved ? elsewhereSteps(graph, resolved) : undefined),
    [graph, resolved],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: as above
  const costByCloud = useMemo(() => [...trace.costByCloud].sort(), [trace, version]);
  const instance = selected ? trace.instances.get(selected) : undefined;
  const status =
    trace.completion?.status ?? execution.data?.status ?? (live ? 'running' : 'unknown');
  const result = trace.completion?.result ?? execution.data?.result;
  const failure = trace.completion?.error ?? execution.data?.error;
  const redrives = execution.data?.redrives ?? 0;
  const order = useMemo(() => graph?.nodes.map((n) => n.name) ?? [], [graph]);

  const selectInstance = (key: string) => {
    setSelected(key);
    const state = trace.instances.get(key);
    if (state) setSelectedStep(state.node);
  };
  const selectStep = (step: string) => {
    setSelectedStep(step);
    const only = [...trace.instances.values()].filter((s) => s.node === step);
    setSelected(only.length === 1 && only[0] ? only[0].instance : null);
  };

  const onRedrive = async () => {
    if (!resolved) return;
    setRedrive({ busy: true });
    try {
      await runApi.redrive(resolved);
      setRedrive({ busy: false });
      setGeneration((g) => g + 1);
      await queryClient.invalidateQueries({ queryKey: queryKeys.execution(resolved) });
    } catch (e) {
      setRedrive({ busy: false, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const onCancel = async () => {
    if (!resolved) return;
    setRedrive({ busy: true });
    try {
      await runApi.cancel(resolved);
      setRedrive({ busy: false });
      await queryClient.invalidateQueries({ queryKey: queryKeys.execution(resolved) });
    } catch (e) {
      setRedrive({ busy: false, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const onRunAgain = async () => {
    const data = execution.data;
    if (!data?.deploymentId) return;
    try {
      const started = await api.startExecution(data.deploymentId, data.input ?? null);
      navigate({ page: 'run', workflowId, executionId: started.id });
    } catch (e) {
      setRedrive({ busy: false, error: e instanceof Error ? e.message : String(e) });
    }
  };

  return (
    <div className="rv">
      <header className="toolbar rv-toolbar">
        <a href="#/" className="brand" aria-label="Jointflow: all workflows">
          Jointflow
        </a>
        <a href={routeHref({ page: 'designer', workflowId })}>{graph?.name ?? 'workflow'}</a>
        <a href={routeHref({ page: 'runs', workflowId })}>All runs</a>
        <h1 className="rv-id">run {resolved ?? '…'}</h1>
        <span className={`status status-${status}`} data-testid="execution-status">
          {status}
        </span>
        <span className="muted" data-testid="run-attempt">
          {redrives > 0 ? `attempt ${redrives + 1} (redriven ${redrives}×)` : 'attempt 1'}
        </span>
        {live && <span className="live-dot" title="Following live" role="img" aria-label="live" />}
        {status === 'failed' && (
          <button
            type="button"
            className="primary"
            onClick={onRedrive}
            disabled={redrive.busy || execution.data?.closedAt != null}
            title="Rerun from the failed step; finished steps keep their results"
          >
            {redrive.busy ? 'Redriving…' : 'Redrive'}
          </button>
        )}
        {status === 'running' && (
          <button
            type="button"
            onClick={onCancel}
            disabled={redrive.busy}
            title="Stop this run: no step starts another; steps still running end at their commit"
          >
            {redrive.busy ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
        {(status === 'failed' || status === 'succeeded' || status === 'cancelled') && (
          <button type="button" onClick={onRunAgain} title="Start a new run with the same input">
            Run again
          </button>
        )}
        <span className="spacer" />
        <span data-testid="makespan">makespan {formatMs(trace.makespanMs)}</span>
        <span data-testid="cost">cost {formatUsd(trace.totalCostUsd)}</span>
        {costByCloud.map(([cloud, cost]) => (
          <CloudBadge key={cloud} color={cloudColor(clouds, cloud)}>
            {`${cloud} ${formatUsd(cost)}`}
          </CloudBadge>
        ))}
        <ThemeToggle theme={theme} />
      </header>
      {(error || redrive.error) && (
        <p role="alert" className="error rv-alert">
          {redrive.error ?? error}
        </p>
      )}
      <div className="rv-body">
        <main className="rv-main">
          <section className="rv-graph" aria-label="Run graph">
            {graph && (
              <ReactFlowProvider>
                <RunGraph
                  graph={graph}
                  clouds={clouds}
                  placement={placement.data ?? {}}
                  summaries={summaries}
                  selected={selectedStep}
                  onSelect={selectStep}
                  dark={theme.dark}
                  triggers={triggers}
                  elsewhere={elsewhere}
                />
              </ReactFlowProvider>
            )}
          </section>
          <div className="rv-lower">
            <div className="tabs" role="tablist" aria-label="Run details">
              {(['timeline', 'steps', 'events'] as const).map((t) => (
                <button
                  key={t}
                  type="button"
                  role="tab"
                  id={`rv-tab-${t}`}
                  aria-selected={tab === t}
                  aria-controls={`rv-panel-${t}`}
                  onClick={() => setTab(t)}
                >
                  {t === 'timeline' ? 'Timeline' : t === 'steps' ? 'Steps' : 'Events'}
                </button>
              ))}
            </div>
            <div
              className="rv-panel"
              role="tabpanel"
              id={`rv-panel-${tab}`}
              aria-labelledby={`rv-tab-${tab}`}
            >
              {tab === 'timeline' && (
                <Timeline
                  trace={trace}
                  version={version}
                  clouds={clouds}
                  selected={selected}
                  onSelect={selectInstance}
                  onSelectStep={selectStep}
                  triggers={triggers}
                />
              )}
              {tab === 'steps' && (
                <StepsTable
                  order={order}
                  summaries={summaries}
                  clouds={clouds}
                  selected={selectedStep}
                  onSelect={selectStep}
                />
              )}
              {tab === 'events' && (
                <EventTable trace={trace} version={version} onSelect={selectInstance} />
              )}
            </div>
          </div>
        </main>
        <aside className="rv-details" aria-label="Details">
          <section aria-label="Result">
            <h2>Result</h2>
            {status === 'succeeded' && <pre data-testid="execution-result">{preview(result)}</pre>}
            {status === 'failed' && (
              <>
                <pre className="error" data-testid="execution-error">
                  {preview(failure)}
                </pre>
                <p className="muted">
                  Fix the cause (the step's code, its input or what it depends on), then Redrive:
                  the failed step runs again and finished steps keep their results.
                </p>
              </>
            )}
            {status === 'cancelled' && (
              <p className="muted" data-testid="execution-cancelled">
                Cancelled: no step started after the cancel; steps that were running kept their
                commits. Run again to start over.
              </p>
            )}
            {status !== 'succeeded' && status !== 'failed' && status !== 'cancelled' && (
              <p className="muted">Running…</p>
            )}
          </section>
          {selectedStep ? (
            <StepPanel
              trace={trace}
              version={version}
              step={selectedStep}
              summary={summaries.get(selectedStep)}
              placedCloud={placement.data?.[selectedStep]}
              selectedInstance={selected}
              onSelectInstance={selectInstance}
            />
          ) : (
            <p className="muted">Click a step on the graph, a row of the timeline or an event.</p>
          )}
          {selectedTrigger && (
            <TriggerDetails
              view={selectedTrigger}
              workflowId={workflowId}
              origin={Number.isFinite(trace.firstAt) ? trace.firstAt : 0}
            />
          )}
          {instance && (
            <InstanceDetails
              trace={trace}
              instance={instance}
              clouds={clouds}
              {...(resolved ? { execution: resolved } : {})}
            />
          )}
          <nav className="rv-recent" aria-label="Executions">
            <h2>Recent runs</h2>
            <ul>
              {executions.data?.items.map((e) => (
                <li key={e.id}>
                  <a
                    href={routeHref({ page: 'run', workflowId, executionId: e.id })}
                    aria-current={e.id === resolved ? 'page' : undefined}
                  >
                    <span className={`status status-${e.status}`}>{e.status}</span> {e.id}
                  </a>
                </li>
              ))}
            </ul>
            <a href={routeHref({ page: 'runs', workflowId })}>All runs, compare…</a>
          </nav>
        </aside>
      </div>
    </div>
  );
}
