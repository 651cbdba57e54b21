import { useVirtualizer } from '@tanstack/react-virtual';
import { useId, useMemo, useRef, useState } from 'react';
import { formatUsd } from './money';
import type { RunTrace, TraceEventView } from './runTrace';
import { describeTriggerEvent } from './triggerState';

const ROW_HEIGHT = 24;

function isFailure(event: TraceEventView): boolean {
  return (
    event.kind === 'step.failed' ||
    event.kind === 'step.retrying' ||
    event.kind === 'invoke.failover' ||
    event.kind === 'execution.failed'
  );
}

/** Every trace event, latest first, virtualized; filters for failures, cloud and node. */
export function EventTable({
  trace,
  version,
  onSelect,
}: {
  trace: RunTrace;
  version: number;
  onSelect(instance: string): void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const ids = { failed: useId(), cloud: useId(), node: useId() };
  const [failedOnly, setFailedOnly] = useState(false);
  const [cloud, setCloud] = useState('');
  const [node, setNode] = useState('');

  // biome-ignore lint/correctness/useExhaustiveDependencies: the trace mutates in place; version says when
  const { rows, clouds, nodes } = useMemo(() => {
    const cloudSet = new Set<string>();
    const nodeSet = new Set<string>();
    const out: TraceEventView[] = [];
    for (let i = trace.events.length - 1; i >= 0; i--) {
      const event = trace.events[i];
      if (!event) continue;
      cloudSet.add(event.cloud);
      nodeSet.add(event.node);
      if (failedOnly && !isFailure(event)) continue;
      if (cloud && event.cloud !== cloud) continue;
      if (node && event.node !== node) continue;
      out.push(event);
    }
    return { rows: out, clouds: [...cloudSet].sort(), nodes: [...nodeSet].sort() };
  }, [trace, version, failedOnly, cloud, node]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const start = Number.isFinite(trace.firstAt) ? trace.firstAt : 0;

  return (
    <section className="events" aria-label="Events">
      <div className="events-filters">
        <h2>
          Events <span className="muted">{`${rows.length} of ${trace.events.length}`}</span>
        </h2>
        <label htmlFor={ids.failed} className="checkbox">
          <input
            id={ids.failed}
            type="checkbox"
            checked={failedOnly}
            onChange={(e) => setFailedOnly(e.target.checked)}
          />{' '}
          Failed only
        </label>
        <label htmlFor={ids.cloud}>Cloud</label>
        <select id={ids.cloud} value={cloud} onChange={(e) => setCloud(e.target.value)}>
          <option value="">all</option>
          {clouds.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <label htmlFor={ids.node}>Node</label>
        <select id={ids.node} value={node} onChange={(e) => setNode(e.target.value)}>
          <option value="">all</option>
          {nodes.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </div>
      <div className="events-head" aria-hidden="true">
        <span>+ms</span>
        <span>kind</span>
        <span>instance</span>
        <span>cloud</span>
        <span>attempt</span>
        <span>detail</span>
      </div>
      <div className="events-scroll" ref={scroller}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const event = rows[item.index];
            if (!event) return null;
            return (
              <button
                type="button"
                key={event.id}
                className={`event-row kind-${event.kind.replace('.', '-')}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => onSelect(event.instance)}
              >
                <span>{event.at - start}</span>
                <span>{event.kind}</span>
                <span>{event.instance}</span>
                <span>{event.cloud}</span>
                <span>{event.attempt}</span>
                <span>
                  {event.error?.message ??
                    describeTriggerEvent(event) ??
                    (event.kind === 'invoke.failover'
                      ? `${event.from ?? '?'} → ${event.to ?? '?'}`
                      : '')}
                  {event.durationMs !== undefined ? `${event.durationMs} ms` : ''}
                  {event.costUsd !== undefined ? ` ${formatUsd(event.costUsd)}` : ''}
                  {event.coldStartMs ? ` · cold start ${event.coldStartMs} ms` : ''}
                  {event.queuedMs ? ` · queued ${event.queuedMs} ms` : ''}
                </span>
              </button>
            );
          })}
        </div>
      </div>
    </section>
  );
}
