import { graphSchema } from '@jointflow/ir';
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '../api/apiClient';
import { queryKeys } from '../api/queries';
import { formatMs } from '../run/duration';
import { formatUsd, formatUsdDelta } from '../run/money';
import { runApi } from '../run/runApi';
import { type ThemeProps, ThemeToggle } from '../ThemeToggle';
import { routeHref } from '../useHashRoute';
import { compareRuns, type InstanceRow } from './compareRuns';

const instancesSchema = z.object({
  instances: z
    .array(
      z
        .object({
          node: z.string(),
          durationMs: z.number().nullable(),
          costUsd: z.number(),
          startedAt: z.number().nullable(),
          finishedAt: z.number().nullable(),
        })
        .loose(),
    )
    .default([]),
});

function useRun(id: string) {
  return useQuery({
    queryKey: [...queryKeys.execution(id), 'compare'],
    queryFn: async () => {
      const execution = await runApi.getExecution(id);
      const rows: InstanceRow[] = instancesSchema.parse(execution).instances;
      return { execution, rows };
    },
  });
}

function msDelta(ms: number | null): string {
  if (ms === null) return '—';
  return ms === 0 ? '±0 ms' : `${ms > 0 ? '+' : ''}${formatMs(ms)}`;
}

/** Two runs side by side: totals, then per-step duration and cost with their differences. */
export function RunCompare({
  workflowId,
  a,
  b,
  theme,
}: ThemeProps & { workflowId: string; a: string; b: string }) {
  const workflow = useQuery({
    queryKey: queryKeys.workflow(workflowId),
    queryFn: () => api.getWorkflow(workflowId),
  });
  const graph = graphSchema.safeParse(workflow.data?.graph).data;
  const left = useRun(a);
  const right = useRun(b);
  const rows =
    left.data && right.data
      ? compareRuns(left.data.rows, right.data.rows, graph?.nodes.map((n) => n.name) ?? [])
      : [];
  const total = (side: typeof left) => side.data?.execution;
  const ta = total(left);
  const tb = total(right);
  const error = left.error ?? right.error;
  return (
    <div className="list-page runs-page">
      <header className="toolbar">
        <a href="#/" className="brand" aria-label="Jointflow: all workflows">
          Jointflow
        </a>
        <a href={routeHref({ page: 'designer', workflowId })}>{graph?.name ?? 'workflow'}</a>
        <a href={routeHref({ page: 'runs', workflowId })}>All runs</a>
        <h1 className="workflow-name">Compare runs</h1>
        <span className="spacer" />
        <ThemeToggle theme={theme} />
      </header>
      <main className="runs-main">
        {error && (
          <p role="alert" className="error">
            {error.message}
          </p>
        )}
        <table className="runs-table compare-table" data-testid="compare-table">
          <caption className="muted">
            Whole run: makespan. Per step: first start to last end of its code's runs (×n instances,
            p50 of one), and its cost. Differences are B minus A: negative means B was faster or
            cheaper.
          </caption>
          <thead>
            <tr>
              <th scope="col">step</th>
              <th scope="col">
                A{' '}
                <a href={routeHref({ page: 'run', workflowId, executionId: a })}>
                  <code>{a}</code>
                </a>
              </th>
              <th scope="col">
                B{' '}
                <a href={routeHref({ page: 'run', workflowId, executionId: b })}>
                  <code>{b}</code>
                </a>
              </th>
              <th scope="col">Δ duration</th>
              <th scope="col">cost A</th>
              <th scope="col">cost B</th>
              <th scope="col">Δ cost</th>
            </tr>
          </thead>
          <tbody>
            <tr className="compare-total">
              <th scope="row">whole run</th>
              <td>{ta?.makespanMs == null ? '—' : formatMs(ta.makespanMs)}</td>
              <td>{tb?.makespanMs == null ? '—' : formatMs(tb.makespanMs)}</td>
              <td>
                {ta?.makespanMs != null && tb?.makespanMs != null
                  ? msDelta(tb.makespanMs - ta.makespanMs)
                  : '—'}
              </td>
              <td>{formatUsd(ta?.costUsd ?? 0)}</td>
              <td>{formatUsd(tb?.costUsd ?? 0)}</td>
              <td>{formatUsdDelta((tb?.costUsd ?? 0) - (ta?.costUsd ?? 0))}</td>
            </tr>
            {rows.map((r) => (
              <tr key={r.step} data-testid={`compare-row-${r.step}`}>
                <th scope="row">{r.step}</th>
                <td>
                  {r.a
                    ? `${formatMs(r.a.spanMs ?? 0)}${r.a.instances > 1 ? ` (×${r.a.instances}, p50 ${formatMs(r.a.p50Ms ?? 0)})` : ''}`
                    : 'did not run'}
                </td>
                <td>
                  {r.b
                    ? `${formatMs(r.b.spanMs ?? 0)}${r.b.instances > 1 ? ` (×${r.b.instances}, p50 ${formatMs(r.b.p50Ms ?? 0)})` : ''}`
                    : 'did not run'}
                </td>
                <td>{msDelta(r.spanDeltaMs)}</td>
                <td>{r.a ? formatUsd(r.a.costUsd) : '—'}</td>
                <td>{r.b ? formatUsd(r.b.costUsd) : '—'}</td>
                <td>{r.costDeltaUsd === null ? '—' : formatUsdDelta(r.costDeltaUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {(left.isLoading || right.isLoading) && <p className="muted">Loading…</p>}
      </main>
    </div>
  );
}
