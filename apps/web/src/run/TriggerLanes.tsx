import '../triggers.css';
import { formatMs } from './duration';
import type { TriggerView } from './useTriggerStates';

/** The most buffer spans one lane draws; a 4,000-way fan-in has 40 batches, not 4,000. */
const MAX_SPANS = 500;

/**
 * One timeline lane per trigger step, above the step rows: a bar for each bucket from its first
 * object to its decision (or to now while it is open), ⚡ where a run fired and ✕ where an object
 * was dropped, each with its description as a tooltip. Shares the timeline's scale (`x`).
 */
export function TriggerLanes({
  triggers,
  x,
  labelWidth,
  trackWidth,
  metaWidth,
  now,
  onSelect,
}: {
  triggers: ReadonlyMap<string, TriggerView>;
  /** Epoch ms to px on the track, as the timeline draws it. */
  x(at: number): number;
  labelWidth: number;
  trackWidth: number;
  metaWidth: number;
  /** Where open buckets end: the trace's latest moment. */
  now: number;
  onSelect(step: string): void;
}) {
  const lanes = [...triggers.values()].filter((t) => t.state !== undefined);
  if (lanes.length === 0) return null;
  return (
    <ul className="tl-trigger-lanes" aria-label="Trigger decisions">
      {lanes.map((lane) => {
        const state = lane.state;
        if (state === undefined) return null;
        return (
          <li key={lane.node} className="tl-trigger-lane">
            <button
              type="button"
              className="ghost tl-trigger-label"
              style={{ width: labelWidth, flex: 'none' }}
              title={`${lane.node}: ${lane.label}`}
              onClick={() => onSelect(lane.node)}
            >
              <span aria-hidden="true">⚡ </span>
              {lane.node}
              <span className="muted">{` ${lane.label}`}</span>
            </button>
            <span className="tl-trigger-track" style={{ width: trackWidth, flex: 'none' }}>
              {state.buckets.slice(0, MAX_SPANS).map((bucket) => {
                const end = bucket.firedAt ?? now;
                const left = x(bucket.firstAt);
                return (
                  <span
                    key={bucket.instance}
                    className="tl-trigger-buffer"
                    style={{ left, width: Math.max(2, x(end) - left) }}
                    title={`${bucket.instance}: ${bucket.received} received${bucket.firedAt === undefined ? ', open' : `, fired after ${formatMs(bucket.firedAt - bucket.firstAt)}`}`}
                  />
                );
              })}
              {state.marks.map((mark) => (
                <span
                  key={`${mark.kind}:${mark.instance}:${mark.at}:${mark.description}`}
                  className={`tl-trigger-mark ${mark.kind}`}
                  style={{ left: x(mark.at) }}
                  title={`${mark.instance}: ${mark.description}`}
                  role="img"
                  aria-label={`${mark.instance}: ${mark.description}`}
                >
                  {mark.kind === 'fired' ? '⚡' : '✕'}
                </span>
              ))}
            </span>
            <span className="tl-meta" style={{ width: metaWidth }}>
              {`${state.fired} fired`}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
