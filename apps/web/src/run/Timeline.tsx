import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Cloud } from '../api/apiClient';
import { cloudColor } from '../api/queries';
import { formatMs } from './duration';
import type { RunTrace } from './runTrace';
import { TriggerLanes } from './TriggerLanes';
import { type TimelineRow, tickStep, timelineRows } from './timelineRows';
import type { TriggerView } from './useTriggerStates';

const ROW_HEIGHT = 22;
const LABEL_WIDTH = 190;
const META_WIDTH = 70;

/** The visible window of the time axis, in ms since the run's first moment. */
interface View {
  from: number;
  to: number;
}

/**
 * A real timeline: a time axis with ticks, zoom (buttons, Ctrl/⌘+wheel around the pointer) and
 * pan (buttons, Shift+wheel or a horizontal wheel, dragging the axis, ←/→), rows grouped by
 * step with map branches collapsible, a legend, and each instance split into queued, cold
 * start, running and committing. Rows are virtualized: 200,000 events stay smooth.
 */
export function Timeline({
  trace,
  version,
  clouds,
  selected,
  onSelect,
  onSelectStep,
  triggers,
}: {
  trace: RunTrace;
  version: number;
  clouds: readonly Cloud[];
  selected: string | null;
  onSelect(instance: string): void;
  onSelectStep(step: string): void;
  /** Trigger steps' decisions, drawn as lanes of markers above the step rows. */
  triggers?: ReadonlyMap<string, TriggerView>;
}) {
  const scroller = useRef<HTMLElement>(null);
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  const [trackWidth, setTrackWidth] = useState(600);
  const [view, setView] = useState<View | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the trace mutates in place; version says when
  const rows = useMemo(() => timelineRows(trace, toggled), [trace, version, toggled]);
  const origin = Number.isFinite(trace.firstAt) ? trace.firstAt : 0;
  const span = Math.max(1, (Number.isFinite(trace.lastAt) ? trace.lastAt : origin) - origin);
  const from = view?.from ?? 0;
  const to = view?.to ?? span;
  const scale = trackWidth / Math.max(1e-3, to - from);
  const x = (t: number) => (t - origin - from) * scale;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () =>
      setTrackWidth(Math.max(100, element.clientWidth - LABEL_WIDTH - META_WIDTH - 24));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const zoom = useCallback(
    (factor: number, anchor = 0.5) => {
      setView((current) => {
        const a = current?.from ?? 0;
        const b = current?.to ?? span;
        const width = Math.min(span, Math.max(1, (b - a) * factor));
        if (width >= span) return null;
        const at = a + (b - a) * anchor;
        const start = Math.min(Math.max(0, at - width * anchor), span - width);
        return { from: start, to: start + width };
      });
    },
    [span],
  );
  const pan = useCallback(
    (fraction: number) => {
      setView((current) => {
        if (current === null) return null;
        const width = current.to - current.from;
        const start = Math.min(Math.max(0, current.from + width * fraction), span - width);
        return { from: start, to: start + width };
      });
    },
    [span],
  );

  // Wheel: Ctrl/⌘ zooms around the pointer, Shift or a horizontal wheel pans. Not passive, so
  // the page does not zoom or scroll sideways instead.
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      const rect = element.getBoundingClientRect();
      const anchor = Math.min(
        1,
        Math.max(0, (event.clientX - rect.left - LABEL_WIDTH) / trackWidth),
      );
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        zoom(event.deltaY > 0 ? 1.25 : 0.8, anchor);
      } else if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
        event.preventDefault();
        pan(((event.shiftKey ? event.deltaY : event.deltaX) / trackWidth) * 1.5);
      }
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, [zoom, pan, trackWidth]);

  // Dragging the axis pans.
  const drag = useRef<{ x: number; from: number; to: number } | null>(null);
  const onAxisPointerDown = (event: React.PointerEvent<HTMLDivElement>) => {
    if (view === null) return;
    drag.current = { x: event.clientX, from: view.from, to: view.to };
    event.currentTarget.setPointerCapture(event.pointerId);
  };
  const onAxisPointerMove = (event: React.PointerEvent<HTMLDivElement>) => {
    const start = drag.current;
    if (!start) return;
    const width = start.to - start.from;
    const shift = -(event.clientX - start.x) / scale;
    const next = Math.min(Math.max(0, start.from + shift), span - width);
    setView({ from: next, to: next + width });
  };

  const ticks = useMemo(() => {
    const step = tickStep(to - from, Math.max(2, Math.floor(trackWidth / 90)));
    const out: number[] = [];
    for (let t = Math.ceil(from / step) * step; t <= to && out.length < 200; t += step) out.push(t);
    return out;
  }, [from, to, trackWidth]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version says when the trace changed
  const cloudsUsed = useMemo(() => [...trace.costByCloud.keys()].sort(), [trace, version]);

  const renderRow = (row: TimelineRow) => {
    if (row.type === 'step') {
      const left = x(row.start);
      const width = Math.max(2, x(row.end) - left);
      return (
        <>
          <button
            type="button"
            className="tl-toggle"
            aria-expanded={!row.collapsed}
            aria-label={`${row.collapsed ? 'Expand' : 'Collapse'} ${row.node} (${row.count} instances)`}
            onClick={() =>
              setToggled((current) => {
                const next = new Set(current);
                if (next.has(row.node)) next.delete(row.node);
                else next.add(row.node);
                return next;
              })
            }
          >
            <span aria-hidden="true">{row.collapsed ? '▸' : '▾'}</span>
          </button>
          <button
            type="button"
            className="tl-step-label"
            style={{ width: LABEL_WIDTH - 26 }}
            onClick={() => onSelectStep(row.node)}
          >
            {row.node}
            <span className="muted">{` ×${row.count}`}</span>
          </button>
          <span className="tl-track" style={{ width: trackWidth }}>
            <span className="tl-span" style={{ left, width }} />
          </span>
          <span className="tl-meta">{formatMs(row.end - row.start)}</span>
        </>
      );
    }
    const { state } = row;
    const phases = trace.phasesOf(state);
    if (!phases) return null;
    const left = x(phases.start);
    const px = (ms: number) => ms * scale;
    const color = cloudColor(clouds, state.cloud);
    const total = phases.end - phases.start;
    const runs = Math.max(1, state.invocations.length);
    const title = `${state.instance} on ${state.cloud}: ${state.status}, ran ${runs} time(s); queued ${formatMs(phases.queuedMs)}, cold start ${formatMs(phases.coldStartMs)}, running ${formatMs(phases.runningMs)}, committing ${formatMs(phases.committingMs)}`;
    return (
      <button
        type="button"
        className={`tl-instance${selected === state.instance ? ' selected' : ''}`}
        onClick={() => onSelect(state.instance)}
        title={title}
      >
        <span className="tl-label" style={{ width: LABEL_WIDTH }}>
          {state.instance}
        </span>
        <span className="tl-track" style={{ width: trackWidth }}>
          {state.invocations.slice(0, -1).map((earlier) => (
            <span
              key={earlier.endedAt}
              className={`tl-bar tl-earlier${earlier.failed ? ' outcome-failed' : ''}`}
              style={{
                left: x(earlier.queuedAt),
                width: Math.max(3, px(earlier.endedAt - earlier.queuedAt)),
              }}
            />
          ))}
          <span
            className={`tl-bar outcome-${state.status}${state.retried || runs > 1 ? ' retried' : ''}${state.failedOverTo ? ' failed-over' : ''}`}
            style={{ left, width: Math.max(3, px(total)) }}
          >
            <span className="seg-queued" style={{ width: px(phases.queuedMs) }} />
            <span className="seg-cold" style={{ width: px(phases.coldStartMs) }} />
            <span
              className="seg-running"
              style={{ width: Math.max(2, px(phases.runningMs)), backgroundColor: color }}
            />
            <span className="seg-commit" style={{ width: px(phases.committingMs) }} />
          </span>
        </span>
        <span className="tl-meta">
          {runs > 1 ? `×${runs} ` : ''}
          {formatMs(total)}
        </span>
      </button>
    );
  };

  return (
    <section className="tl" aria-label="Timeline">
      <div className="tl-toolbar">
        <h2>Timeline</h2>
        <span className="muted">{`${trace.instances.size} instances · ${formatMs(span)}`}</span>
        <span className="spacer" />
        <button type="button" onClick={() => zoom(0.5)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => zoom(2)} aria-label="Zoom out" disabled={!view}>
          −
        </button>
        <button type="button" onClick={() => pan(-0.25)} aria-label="Pan left" disabled={!view}>
          ◀
        </button>
        <button type="button" onClick={() => pan(0.25)} aria-label="Pan right" disabled={!view}>
          ▶
        </button>
        <button type="button" onClick={() => setView(null)} disabled={!view}>
          Fit
        </button>
      </div>
      <ul className="tl-legend" aria-label="Legend">
        <li>
          <span className="swatch seg-queued" /> queued
        </li>
        <li>
          <span className="swatch seg-cold" /> cold start
        </li>
        <li>
          <span className="swatch seg-running-legend" /> running (cloud colour)
        </li>
        <li>
          <span className="swatch seg-commit" /> committing + invoking
        </li>
        <li>
          <span className="swatch outline-failed" /> failed
        </li>
        <li>
          <span className="swatch outline-retried" /> retried
        </li>
        {cloudsUsed.map((cloud) => (
          <li key={cloud}>
            <span className="swatch" style={{ backgroundColor: cloudColor(clouds, cloud) }} />{' '}
            {cloud}
          </li>
        ))}
      </ul>
      {/* Pointer panning mirrors the Pan buttons and the arrow keys. */}
      <div
        className="tl-axis"
        style={{ marginLeft: LABEL_WIDTH + 8, width: trackWidth }}
        onPointerDown={onAxisPointerDown}
        onPointerMove={onAxisPointerMove}
        onPointerUp={() => {
          drag.current = null;
        }}
        aria-hidden="true"
      >
        {ticks.map((t) => (
          <span key={t} className="tl-tick" style={{ left: (t - from) * scale }}>
            {formatMs(t)}
          </span>
        ))}
      </div>
      {triggers !== undefined && (
        <TriggerLanes
          triggers={triggers}
          x={x}
          labelWidth={LABEL_WIDTH}
          trackWidth={trackWidth}
          metaWidth={META_WIDTH}
          now={Number.isFinite(trace.lastAt) ? trace.lastAt : origin}
          onSelect={onSelectStep}
        />
      )}
      <section
        className="tl-scroll"
        ref={scroller}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the scroll area takes arrow keys for panning
        tabIndex={0}
        aria-label="Rows by step (arrow keys pan, + and − zoom)"
        onKeyDown={(event) => {
          if (event.target !== event.currentTarget) return;
          if (event.key === 'ArrowLeft') pan(-0.1);
          else if (event.key === 'ArrowRight') pan(0.1);
          else if (event.key === '+' || event.key === '=') zoom(0.5);
          else if (event.key === '-') zoom(2);
          else return;
          event.preventDefault();
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <div
                key={row.type === 'step' ? `step:${row.node}` : row.state.instance}
                className={`tl-row tl-row-${row.type}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                {renderRow(row)}
              </div>
            );
          })}
        </div>
      </section>
    </section>
  );
}
