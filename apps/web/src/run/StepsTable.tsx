import type { Cloud } from '../api/apiClient';
import { cloudColor } from '../api/queries';
import { CloudBadge } from './CloudBadge';
import { formatMs } from './duration';
import { formatUsd } from './money';
import type { StepSummary } from './runTrace';

/**
 * Per-step numbers: counts against the committed total, where it ran, its cost, and its code's
 * duration as percentiles (a single instance shows its one duration). Clicking a step selects it.
 */
export function StepsTable({
  order,
  summaries,
  clouds,
  selected,
  onSelect,
}: {
  order: readonly string[];
  summaries: ReadonlyMap<string, StepSummary>;
  clouds: readonly Cloud[];
  selected: string | null;
  onSelect(step: string): void;
}) {
  const steps = [...new Set([...order, ...summaries.keys()])];
  return (
    <section className="steps-table" aria-label="Steps">
      <table>
        <thead>
          <tr>
            <th scope="col">step</th>
            <th scope="col">status</th>
            <th scope="col">done / total</th>
            <th scope="col">ran on</th>
            <th scope="col">cost</th>
            <th scope="col">p50</th>
            <th scope="col">p90</th>
            <th scope="col">p99</th>
            <th scope="col">max</th>
            <th scope="col">wall p50</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((step) => {
            const s = summaries.get(step);
            const d = s?.durationMs;
            return (
              <tr
                key={step}
                className={selected === step ? 'selected' : undefined}
                data-testid={`step-row-${step}`}
              >
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => onSelect(step)}>
                    {step}
                  </button>
                </th>
                <td>
                  <span className={`status status-${s?.status ?? 'pending'}`}>
                    {s?.status ?? 'pending'}
                  </span>
                </td>
                <td>
                  {s
                    ? `${s.succeeded + s.skipped}${s.failed ? ` (+${s.failed} failed)` : ''} / ${s.total ?? '?'}`
                    : '0 / ?'}
                </td>
                <td>
                  {s?.clouds.map((c) => (
                    <CloudBadge key={c} color={cloudColor(clouds, c)}>
                      {c}
                    </CloudBadge>
                  ))}
                </td>
                <td data-testid={`step-cost-${step}`}>{s ? formatUsd(s.costUsd) : '—'}</td>
                <td>{d ? formatMs(d.p50) : '—'}</td>
                <td>{d && d.count > 1 ? formatMs(d.p90) : '—'}</td>
                <td>{d && d.count > 1 ? formatMs(d.p99) : '—'}</td>
                <td>{d ? formatMs(d.max) : '—'}</td>
                <td>{s?.wallMs ? formatMs(s.wallMs.p50) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
