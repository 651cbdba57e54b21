/**
 * `@jointflow/runtime/summary`: the one fold of trace events into per-instance states and
 * per-step summaries, and the hybrid-logical-clock order of events. Browser-safe: nothing here
 * imports Node, another runtime module or a package (only types from `../ports`), so the web
 * app bundles it without the runtime.
 */
export type { HlcStamp, OrderedEvent } from './hlc';
export {
  compareHlc,
  compareHlcStamps,
  compareTraceEvents,
  orderTraceEvents,
  parseHlc,
} from './hlc';
export { percentiles } from './percentiles';
export type {
  Completion,
  InstancePhases,
  InstanceRow,
  InstanceState,
  InstanceStatus,
  InvocationTiming,
  StepStatus,
  StepSummary,
  SummaryEvent,
} from './traceSummary';
export { innermostMap, summarizeInstances, TraceSummary } from './traceSummary';
