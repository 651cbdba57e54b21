export type { CloudShare, Estimate, EstimateOptions } from './estimate';
export { DEFAULT_TASK_MS, estimate, STEP_OVERHEAD_MS } from './estimate';
export type { Objective, Plan, PlanOptions } from './plan';
export { plan } from './plan';
