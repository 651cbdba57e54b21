import type { Graph } from '@jointflow/ir';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { api, type Cloud, type FunctionDeployStatus } from '../api/apiClient';
import { cloudColor } from '../api/queries';
import { CloudBadge } from '../run/CloudBadge';
import { formatMs } from '../run/duration';
import { formatUsd } from '../run/money';
import { navigate } from '../useHashRoute';
import { deployErrorHelp, providerState } from './deployWords';
import { usePlan } from './usePlan';

/** A cloud's provider and region as `GET /clouds` reports them (the profile's provider if no region). */
function whereOf(clouds: readonly Cloud[], id: string): { provider?: string; text: string } {
  const cloud = clouds.find((c) => c.id === id) as
    | (Cloud & { provider?: unknown; region?: unknown })
    | undefined;
  const provider = typeof cloud?.provider === 'string' ? cloud.provider : undefined;
  const region = typeof cloud?.region === 'string' ? cloud.region : undefined;
  return {
    provider,
    text: [provider ?? 'provider unknown', region].filter(Boolean).join(' · '),
  };
}

function groupByCloud(
  functions: readonly FunctionDeployStatus[],
): Map<string, FunctionDeployStatus[]> {
  const out = new Map<string, FunctionDeployStatus[]>();
  for (const fn of functions) {
    const list = out.get(fn.cloud) ?? [];
    list.push(fn);
    out.set(fn.cloud, list);
  }
  return out;
}

/**
 * One-click deploy: starts the deployment at once, shows the planner's placement and estimate,
 * per-function progress per cloud, then the input editor and Run.
 */
export function DeployDialog({
  workflowId,
  version,
  graph,
  clouds,
  onClose,
}: {
  workflowId: string;
  version?: string | number;
  graph: Graph;
  clouds: readonly Cloud[];
  onClose(): void;
}) {
  const inputId = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const plan = usePlan(graph, clouds);
  const [input, setInput] = useState(() => JSON.stringify(graph.sampleInput ?? {}, null, 2));
  const [inputError, setInputError] = useState<string | null>(null);

  const deploy = useMutation({
    mutationFn: () =>
      api.deploy(
        workflowId,
        version,
        plan && Object.keys(plan.autoPlacement).length > 0 ? plan.placement : undefined,
      ),
  });
  const started = useRef(false);
  useEffect(() => {
    dialog.current?.showModal();
    if (!started.current) {
      started.current = true;
      deploy.mutate();
    }
  }, [deploy]);

  const deploymentId = deploy.data?.id;
  const deployment = useQuery({
    queryKey: ['deployment', deploymentId],
    queryFn: () => api.getDeployment(deploymentId ?? ''),
    enabled: deploymentId !== undefined,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'ready' || status === 'failed' ? false : 300;
    },
  });

  const run = useMutation({
    mutationFn: (value: unknown) => api.startExecution(deploymentId ?? '', value),
    onSuccess: (execution) => navigate({ page: 'run', workflowId, executionId: execution.id }),
  });

  const onRun = () => {
    let value: unknown;
    try {
      value = JSON.parse(input);
    } catch (error) {
      setInputError(
        `The input is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    setInputError(null);
    run.mutate(value);
  };

  const status =
    deployment.data?.status ??
    (deploy.isPending ? 'starting' : deploy.isError ? 'failed' : 'pending');
  const functions = deployment.data?.functions ?? [];
  const readyCount = functions.filter((f) => f.status === 'ready').length;

  return (
    <dialog ref={dialog} className="deploy-dialog" aria-label="Deploy" onClose={onClose}>
      <header>
        <h2>Deploy {graph.name}</h2>
        <button
          type="button"
          className="ghost"
          onClick={() => dialog.current?.close()}
          aria-label="Close"
        >
          ✕
        </button>
      </header>
      <section aria-label="Plan">
        <h3>Plan</h3>
        {!plan && <p className="muted">No estimate: the planner is not available in this build.</p>}
        {plan && (
          <>
            <p>
              First run about{' '}
              <strong data-testid="estimate-makespan">{formatMs(plan.firstRunMs)}</strong>{' '}
              <span className="muted" data-testid="estimate-breakdown">
                {`(cold starts ${formatMs(plan.coldStartMs)}, queueing ${formatMs(plan.queueMs)} on the slowest path ${plan.criticalPath.join(' → ')}); later runs with warm sandboxes about ${formatMs(plan.makespanMs)}`}
              </span>
            </p>
            <p>
              Cost per run <strong data-testid="estimate-cost">{formatUsd(plan.costUsd)}</strong>{' '}
              {Object.entries(plan.costByCloud).map(([cloud, cost]) => (
                <CloudBadge key={cloud} color={cloudColor(clouds, cloud)}>
                  {`${cloud} ${formatUsd(cost)}`}
                </CloudBadge>
              ))}
            </p>
            {plan.reasons.length > 0 ? (
              <ul className="placement" aria-label="Where the planner put the auto steps">
                {plan.reasons.map((why) => (
                  <li key={why.node} data-testid={`placement-${why.node}`}>
                    <code>{why.node}</code> (auto) →{' '}
                    <CloudBadge color={cloudColor(clouds, why.cloud)}>{why.cloud}</CloudBadge>{' '}
                    <span className="muted">{whereOf(clouds, why.cloud).text}</span>
                    <ul className="placement-reasons">
                      {why.reasons.map((reason) => (
                        <li key={reason}>{reason}</li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">Every step has a cloud; nothing for the planner to place.</p>
            )}
          </>
        )}
      </section>
      <section aria-label="Deployment progress">
        <h3>
          Deployment{' '}
          <span className={`status status-${status}`} data-testid="deployment-status">
            {status}
          </span>{' '}
          {functions.length > 0 && (
            <span className="muted">{`${readyCount}/${functions.length} functions ready`}</span>
          )}
        </h3>
        {deploy.error && (
          <p role="alert" className="error">
            {deploy.error.message}
          </p>
        )}
        {[...groupByCloud(functions)].map(([cloud, list]) => {
          const where = whereOf(clouds, cloud);
          return (
            <div key={cloud} className="deploy-cloud" data-testid={`deploy-cloud-${cloud}`}>
              <div>
                <CloudBadge color={cloudColor(clouds, cloud)}>{cloud}</CloudBadge>
                <div className="muted deploy-where">{where.text}</div>
              </div>
              <ul>
                {list.map((fn) => {
                  const shown =
                    typeof fn.providerState === 'string'
                      ? fn.providerState
                      : providerState(where.provider, fn.status);
                  const help = fn.reason ? deployErrorHelp(fn.reason) : undefined;
                  return (
                    <li key={`${fn.name}-${fn.cloud}-${String(fn.role ?? '')}`}>
                      <code>{fn.name}</code>
                      {fn.role === 'replica' && <span className="muted"> (replica)</span>}{' '}
                      <span className={`status status-${fn.status}`} title={fn.status}>
                        {shown}
                      </span>
                      {fn.reason && (
                        <div className="deploy-failure">
                          {help && <p className="deploy-help">{help}</p>}
                          <p className="error">
                            <span className="muted">The provider said: </span>
                            {fn.reason}
                          </p>
                        </div>
                      )}
                    </li>
                  );
                })}
              </ul>
            </div>
          );
        })}
      </section>
      <section>
        <label htmlFor={inputId}>
          <h3>Input</h3>
        </label>
        <textarea
          id={inputId}
          rows={6}
          value={input}
          spellCheck={false}
          onChange={(e) => setInput(e.target.value)}
        />
        {inputError && <p className="error">{inputError}</p>}
        {run.error && (
          <p role="alert" className="error">
            {run.error.message}
          </p>
        )}
        <button
          type="button"
          className="primary"
          disabled={status !== 'ready' || run.isPending}
          onClick={onRun}
        >
          Run
        </button>
      </section>
    </dialog>
  );
}
