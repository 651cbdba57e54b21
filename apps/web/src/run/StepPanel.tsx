import { compareHlc } from '@jointflow/runtime/summary';
import { useMemo } from 'react';
import type { Cloud } from '../api/apiClient';
import { cloudColor } from '../api/queries';
import { CloudBadge } from './CloudBadge';
import { formatMs } from './duration';
import { FullOutput, partialOutputBytes } from './FullOutput';
import { formatUsd } from './money';
import { OutputPlot } from './OutputPlot';
import { countsLabel } from './RunGraph';
import type { InstanceState, RunTrace, StepSummary } from './runTrace';

const LISTED = 100;

export function preview(value: unknown): string {
  if (value === undefined) return '—';
  const text = JSON.stringify(value, null, 2);
  return text.length > 20_000 ? `${text.slice(0, 20_000)}\n…` : text;
}

/** One instance: where it ran, its attempts, time split, cost, input, output and error. */
export function InstanceDetails({
  trace,
  instance,
  clouds,
  execution,
}: {
  trace: RunTrace;
  instance: InstanceState;
  clouds: readonly Cloud[];
  /** The run's id: outputs too large for the trace are fetched from the API by it. */
  execution?: string;
}) {
  const phases = trace.phasesOf(instance);
  const partialBytes = partialOutputBytes(instance.output);
  return (
    <section aria-label="Instance" className="instance-details">
      <h3>
        <code>{instance.instance}</code>
      </h3>
      <p>
        <CloudBadge color={cloudColor(clouds, instance.cloud)}>{instance.cloud}</CloudBadge>{' '}
        <span className={`status status-${instance.status}`}>{instance.status}</span>{' '}
        <span data-testid="instance-attempts">
          {`ran ${Math.max(1, instance.invocations.length)} time(s)`}
          {instance.invocations.some((i) => i.failed)
            ? ` (${instance.invocations.filter((i) => i.failed).length} failed)`
            : ''}
          {instance.retried ? ', retried in process' : ''}
        </span>
        {instance.failedOverTo ? ` · failed over to ${instance.failedOverTo}` : ''}
        {` · ${formatUsd(instance.costUsd)}`}
      </p>
      {phases && (
        <p className="muted">
          {`queued ${formatMs(phases.queuedMs)} · cold start ${formatMs(phases.coldStartMs)} · running ${formatMs(phases.runningMs)} · committing ${formatMs(phases.committingMs)}`}
        </p>
      )}
      <h4>Input</h4>
      <pre>{preview(instance.input)}</pre>
      <h4>Output</h4>
      <pre>{preview(instance.output)}</pre>
      {execution !== undefined && partialBytes !== undefined && (
        <FullOutput
          key={instance.instance}
          execution={execution}
          instance={instance.instance}
          bytes={partialBytes}
        />
      )}
      {instance.error && (
        <>
          <h4>Error</h4>
          <pre className="error">{instance.error.stack ?? instance.error.message}</pre>
        </>
      )}
    </section>
  );
}

/**
 * The selected step: its counts, numbers and instances (failed first). A step with many
 * instances lists the first hundred; the timeline reaches every one.
 */
export function StepPanel({
  trace,
  version,
  step,
  summary,
  placedCloud,
  selectedInstance,
  onSelectInstance,
}: {
  trace: RunTrace;
  version: number;
  step: string;
  summary: StepSummary | undefined;
  placedCloud: string | undefined;
  selectedInstance: string | null;
  onSelectInstance(instance: string): void;
}) {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the trace mutates in place; version says when
  const instances = useMemo(() => {
    const list = [...trace.instances.values()].filter((s) => s.node === step);
    const rank = (s: InstanceState) => (s.status === 'failed' ? 0 : s.status === 'running' ? 1 : 2);
    // Within a rank, in start-stamp order (hybrid logical clock): clouds' wall clocks differ.
    list.sort(
      (a, b) =>
        rank(a) - rank(b) ||
        compareHlc(a.startHlc, b.startHlc) ||
        (a.startedAt ?? 0) - (b.startedAt ?? 0),
    );
    return list;
  }, [trace, version, step]);
  const d = summary?.durationMs;
  return (
    <section aria-label="Step" className="step-panel" data-testid="step-panel">
      <h2>
        Step <code>{step}</code>
      </h2>
      <p data-testid="step-counts">{countsLabel(summary)}</p>
      <p className="muted">
        {`placed on ${placedCloud ?? '?'}`}
        {summary && summary.clouds.length > 0 ? ` · ran on ${summary.clouds.join(', ')}` : ''}
        {summary ? ` · cost ${formatUsd(summary.costUsd)}` : ''}
      </p>
      {d && (
        <p className="muted">
          {d.count > 1
            ? `code time p50 ${formatMs(d.p50)} · p90 ${formatMs(d.p90)} · p99 ${formatMs(d.p99)} · max ${formatMs(d.max)} (${d.count} instances)`
            : `code time ${formatMs(d.max)}`}
        </p>
      )}
      {instances.length > 1 && <OutputPlot step={step} instances={instances} />}
      {instances.length > 1 && (
        <ul className="step-instances" aria-label={`Instances of ${step}`}>
          {instances.slice(0, LISTED).map((s) => (
            <li key={s.instance}>
              <button
                type="button"
                className="link-button"
                aria-current={s.instance === selectedInstance ? 'true' : undefined}
                onClick={() => onSelectInstance(s.instance)}
              >
                <span className={`status status-${s.status}`}>{s.status}</span> {s.instance}{' '}
                <span className="muted">{formatUsd(s.costUsd)}</span>
              </button>
            </li>
          ))}
          {instances.length > LISTED && (
            <li className="muted">{`${LISTED} of ${instances.length} listed; the timeline shows every one`}</li>
          )}
        </ul>
      )}
    </section>
  );
}
