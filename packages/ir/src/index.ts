export type { AslImportResult } from './asl';
export { importAsl } from './asl';
export type { AslDataFlowView } from './aslEdit';
export { aslDataFlowOf, withAslDataFlow } from './aslEdit';
export type { AslStepSpec } from './aslStepCode';
export { readAslStepSpec } from './aslStepCode';
export { aslStubDiagnostics } from './aslStubs';
export { canonicalJson, sortKeys } from './canonicalJson';
export type { CloudMeasurements, CloudProfile } from './cloudProfile';
export {
  cloudMeasurementsSchema,
  cloudProfileSchema,
  ENVELOPE_RESERVE_BYTES,
} from './cloudProfile';
export type { CompileOptions, CompileResult } from './compile';
export { compile } from './compile';
export { defaultCloudProfiles } from './defaultClouds';
export type { Diagnostic } from './diagnostic';
export { formatDiagnostic, hasErrors } from './diagnostic';
export type {
  Graph,
  GraphEdge,
  GraphInput,
  GraphNode,
  NodeKind,
  TransferMode,
  TriggerKind,
  TriggerSpec,
} from './graph';
export {
  graphEdge,
  graphNode,
  graphSchema,
  NODE_NAME_PATTERN,
  nodeKinds,
  runnableTriggerKinds,
  transferModes,
  triggerFansOut,
  triggerKinds,
  triggerSpec,
} from './graph';
export type { InstanceRef, ScopeEntry } from './instanceKey';
export { InstanceKeyError, instanceKey, parseInstanceKey, scopeKey } from './instanceKey';
export type {
  Continuation,
  ContinuationMode,
  FunctionContext,
  FunctionIR,
  FunctionKind,
  JoinSlot,
  JoinTarget,
  MapSuccessor,
  ScopeOp,
  TriggerTarget,
  WorkflowIR,
} from './ir';
export {
  continuationModes,
  continuationSchema,
  functionContextSchema,
  functionIRSchema,
  joinSlotSchema,
  joinTargetSchema,
  mapSuccessorSchema,
  scopeOpSchema,
  triggerTargetSchema,
  workflowIRSchema,
} from './ir';
export { irVersion } from './irVersion';
export { sha256Hex } from './sha256';
