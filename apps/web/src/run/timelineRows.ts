import type { InstanceState, RunTrace } from './runTrace';

export type TimelineRow =
  | {
      type: 'step';
      node: string;
      count: number;
      /** Earliest start and latest end over the step's instances (epoch ms). */
      start: number;
      end: number;
      collapsed: boolean;
    }
  | { type: 'instance'; state: InstanceState; start: number; end: number };

/**
 * The timeline's rows: one header per step (in the order the steps first started), followed by
 * its instances in start order unless the step is collapsed. Steps with many instances (map
 * branches) start collapsed; `toggled` flips a step from its default.
 */
export function timelineRows(
  trace: RunTrace,
  toggled: ReadonlySet<string>,
  collapseAbove = 20,
): TimelineRow[] {
  const groups = new Map<
    string,
    { items: { state: InstanceState; start: number; end: number }[]; start: number; end: number }
  >();
  for (const state of trace.instances.values()) {
    const phases = trace.phasesOf(state);
    if (phases === undefined) continue;
    let group = groups.get(state.node);
    if (group === undefined) {
      group = { items: [], start: phases.start, end: phases.end };
      groups.set(state.node, group);
    }
    group.items.push({ state, start: phases.start, end: phases.end });
    if (phases.start < group.start) group.start = phases.start;
    if (phases.end > group.end) group.end = phases.end;
  }
  const ordered = [...groups].sort((a, b) => a[1].start - b[1].start || a[0].localeCompare(b[0]));
  const rows: TimelineRow[] = [];
  for (const [node, group] of ordered) {
    const collapsedByDefault = group.items.length > collapseAbove;
    const collapsed = toggled.has(node) ? !collapsedByDefault : collapsedByDefault;
    rows.push({
      type: 'step',
      node,
      count: group.items.length,
      start: group.start,
      end: group.end,
      collapsed,
    });
    if (collapsed) continue;
    group.items.sort(
      (a, b) => a.start - b.start || a.state.instance.localeCompare(b.state.instance),
    );
    for (const item of group.items) rows.push({ type: 'instance', ...item });
  }
  return rows;
}

/** Tick spacing for a time axis: 1, 2 or 5 times a power of ten, about `targetTicks` per span. */
export function tickStep(spanMs: number, targetTicks: number): number {
  const raw = Math.max(spanMs, 1e-3) / Math.max(1, targetTicks);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * power) return m * power;
  return 10 * power;
}
