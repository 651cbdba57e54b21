import type { Graph, TriggerSpec } from '@jointflow/ir';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunTrace } from './runTrace';
import { TriggerFold, type TriggerState, triggerStateLabel } from './triggerState';

/** A trigger step of the run: its settings from the graph, its state and the line shown for it. */
export interface TriggerView {
  node: string;
  spec: TriggerSpec | undefined;
  state: TriggerState | undefined;
  label: string;
}

/**
 * The live state of every trigger step of a run. The trace only grows (it deduplicates by event
 * id), so each render folds only the events added since the last one; a new trace (another
 * execution, a redrive) starts over. While a time window the run fed is still open, the line
 * counts down ("closes in 0.6 s") four times a second; the map keeps its identity while no line
 * changed, so the run graph does not re-render for nothing.
 */
export function useTriggerStates(
  trace: RunTrace,
  version: number,
  graph: Graph | undefined,
): ReadonlyMap<string, TriggerView> {
  const folded = useRef<{ trace: RunTrace; count: number; fold: TriggerFold } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const previous = useRef<{ key: string; views: ReadonlyMap<string, TriggerView> } | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the trace mutates in place; version says when
  const views = useMemo(() => {
    let current = folded.current;
    if (current === null || current.trace !== trace || current.count > trace.events.length) {
      current = { trace, count: 0, fold: new TriggerFold() };
      folded.current = current;
    }
    if (current.count < trace.events.length) {
      current.fold.add(trace.events.slice(current.count));
      current.count = trace.events.length;
    }
    const states = current.fold.states();
    const out = new Map<string, TriggerView>();
    for (const node of graph?.nodes ?? []) {
      if (node.kind !== 'trigger') continue;
      const state = states.get(node.name);
      out.set(node.name, {
        node: node.name,
        spec: node.trigger,
        state,
        label: triggerStateLabel(state, node.trigger, now),
      });
    }
    // Triggers the trace names but the graph does not (another version of the workflow).
    for (const [name, state] of states) {
      if (!out.has(name))
        out.set(name, { node: name, spec: undefined, state, label: triggerStateLabel(state) });
    }
    const key = `${current.count}|${graph === undefined ? '' : 'g'}|${[...out.values()].map((v) => `${v.node}:${v.label}`).join('|')}`;
    if (previous.current?.key === key) return previous.current.views;
    previous.current = { key, views: out };
    return out;
  }, [trace, version, graph, now]);

  const openUntil = Math.max(
    0,
    ...[...views.values()].flatMap(
      (v) => v.state?.buckets.flatMap((b) => (b.windows ?? []).map((w) => w.closesAt)) ?? [],
    ),
  );
  // Counts down until the last window closes, whether or not the run is still live: a producer
  // run ends as soon as its objects are in their window.
  const ticking = openUntil > now;
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [ticking]);
  return views;
}
