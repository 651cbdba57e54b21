import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import type { Cloud } from '../api/apiClient';
import { cloudColor } from '../api/queries';
import type { InstanceState, RunTrace } from './runTrace';

const ROW_HEIGHT = 24;
const LABEL_WIDTH = 260;

/** One bar per instance on a shared time axis, coloured by cloud, outlined by outcome. */
export function Timeline({
  trace,
  version,
  clouds,
  selected,
  onSelect,
}: {
  trace: RunTrace;
  version: number;
  clouds: readonly Cloud[];
  selected: string | null;
  onSelect(instance: string): void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the trace mutates in place; version says when
  const rows = useMemo(() => {
    const list = [...trace.instances.values()].filter(
      (s) => s.startedAt !== undefined || s.endedAt !== undefined,
    );
    list.sort((a, b) => (a.startedAt ?? a.endedAt ?? 0) - (b.startedAt ?? b.endedAt ?? 0));
    return list;
  }, [trace, version]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const start = Number.isFinite(trace.firstAt) ? trace.firstAt : 0;
  const span = Math.max(1, trace.makespanMs);

  const bar = (row: InstanceState) => {
    const from = (row.startedAt ?? row.endedAt ?? start) - start;
    const to = (row.endedAt ?? trace.lastAt) - start;
    return { left: `${(from / span) * 100}%`, width: `max(3px, ${((to - from) / span) * 100}%)` };
  };

  return (
    <section className="timeline" aria-label="Timeline">
      <h2>
        Timeline <span className="muted">{`${rows.length} instances · ${span} ms`}</span>
      </h2>
      <div className="timeline-scroll" ref={scroller}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const duration =
              row.durationMs ??
              (row.endedAt !== undefined && row.startedAt !== undefined
                ? row.endedAt - row.startedAt
                : undefined);
            return (
              <button
                type="button"
                key={row.instance}
                className={`timeline-row${selected === row.instance ? ' selected' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => onSelect(row.instance)}
                title={`${row.instance} on ${row.cloud}: ${row.status}, ${row.attempts} attempt(s)${duration !== undefined ? `, ${duration} ms` : ''}`}
              >
                <span className="timeline-label" style={{ width: LABEL_WIDTH }}>
                  {row.instance}
                </span>
                <span className="timeline-track">
                  <span
                    className={`timeline-bar outcome-${row.status}${row.retried ? ' retried' : ''}${row.failedOverTo ? ' failed-over' : ''}`}
                    style={{ ...bar(row), backgroundColor: cloudColor(clouds, row.cloud) }}
                  />
                </span>
                <span className="timeline-meta">
                  {row.attempts > 1 ? `×${row.attempts} ` : ''}
                  {duration !== undefined ? `${duration} ms` : row.status}
                </span>
              </button>
            );
          })}
        </div>
      </div>
    </section>
  );
}
