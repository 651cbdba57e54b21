export type { CloudShare, Estimate, EstimateOptions, StepEstimate } from './estimate';
export { DEFAULT_TASK_MS, DISPATCH_MS, estimate, STEP_OVERHEAD_MS } from './estimate';
export type { Alternative, PlacementReason } from './explain';
export { explainPlacement } from './explain';
export type { Objective, Plan, PlanOptions } from './plan';
export { plan } from './plan';
