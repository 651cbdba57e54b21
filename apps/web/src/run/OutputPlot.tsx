import { useId, useState } from 'react';
import { numericFields, outputSeries } from './outputSeries';
import type { InstanceState } from './runTrace';

const WIDTH = 300;
const HEIGHT = 130;
const PAD = { left: 44, right: 10, top: 10, bottom: 26 };

/** Four significant digits: enough to tell rounds apart, short enough for an axis. */
export function formatPlotValue(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/**
 * A numeric field of a step's outputs across its instances (a loop's iterations, a map's
 * branches), as a small line chart that grows while the run goes on. The field is picked from
 * the top-level numbers the outputs hold; nothing is drawn when they hold none.
 */
export function OutputPlot({ step, instances }: { step: string; instances: InstanceState[] }) {
  const fields = numericFields(instances);
  const [picked, setPicked] = useState<string | null>(null);
  const selectId = useId();
  if (fields.length === 0) return null;
  const field = picked !== null && fields.includes(picked) ? picked : (fields[0] ?? '');
  const points = outputSeries(instances, field);
  const values = points.map((p) => p.value);
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) {
    // A flat series still needs a visible band around its value.
    const pad = Math.abs(low) > 0 ? Math.abs(low) * 0.1 : 1;
    low -= pad;
    high += pad;
  }
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) =>
    PAD.left + (points.length > 1 ? (i / (points.length - 1)) * plotW : plotW / 2);
  const y = (v: number) => PAD.top + (1 - (v - low) / (high - low)) * plotH;
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <section className="output-plot" aria-label={`Output of ${step} per instance`}>
      <div className="output-plot-head">
        <label htmlFor={selectId}>Plot</label>
        <select
          id={selectId}
          value={field}
          onChange={(e) => setPicked(e.target.value)}
          data-testid="plot-field"
        >
          {fields.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <span className="muted" data-testid="plot-summary">
          {last
            ? `${points.length} point${points.length === 1 ? '' : 's'} · last ${formatPlotValue(last.value)}`
            : 'no values yet'}
        </span>
      </div>
      {points.length > 0 && first && last && (
        <svg
          width={WIDTH}
          height={HEIGHT}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-label={`${field} per instance of ${step}: ${points.map((p) => `${p.label} ${formatPlotValue(p.value)}`).join(', ')}`}
          data-testid="output-plot"
        >
          <line className="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={PAD.top + plotH} />
          <line
            className="axis"
            x1={PAD.left}
            y1={PAD.top + plotH}
            x2={PAD.left + plotW}
            y2={PAD.top + plotH}
          />
          <text className="tick" x={PAD.left - 4} y={PAD.top + 4} textAnchor="end">
            {formatPlotValue(high)}
          </text>
          <text className="tick" x={PAD.left - 4} y={PAD.top + plotH} textAnchor="end">
            {formatPlotValue(low)}
          </text>
          <text className="tick" x={PAD.left} y={HEIGHT - 8} textAnchor="start">
            {first.label}
          </text>
          {points.length > 1 && (
            <text className="tick" x={PAD.left + plotW} y={HEIGHT - 8} textAnchor="end">
              {last.label}
            </text>
          )}
          <path className="series" d={path} />
          {points.map((p, i) => (
            <circle
              key={p.instance}
              className="point"
              cx={x(i)}
              cy={y(p.value)}
              r={3}
              data-testid="plot-point"
              data-value={p.value}
            >
              <title>{`${p.label}: ${formatPlotValue(p.value)}`}</title>
            </circle>
          ))}
        </svg>
      )}
    </section>
  );
}
