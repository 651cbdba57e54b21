export type {
  CreateFunctionOptions,
  StepContext,
  StepOutcome,
  UserHandler,
} from './createFunction';
export {
  createFunction,
  INVOKE_CONCURRENCY,
  RECORD_INLINE_LIMIT_BYTES,
  SLOT_INLINE_LIMIT_BYTES,
} from './createFunction';
export { resolveDataRef, toDataRef } from './dataRef';
export type { ExecutionResult, RedriveAction, StartSpec } from './execution';
export {
  cancelExecution,
  closeExecution,
  DEFAULT_CLOSED_TTL_MS,
  DEFAULT_START_INLINE_LIMIT_BYTES,
  executionStores,
  readExecutionResult,
  redriveExecution,
  startExecution,
} from './execution';
export type { HistoryCheckInput, HistoryReport } from './historyChecker';
export { checkHistory } from './historyChecker';
export { fillJoinSlot, readJoinSlots } from './joinTree';
export { isValidExecutionId, keys } from './keys';
export type { MemoryCloud, MemoryCloudOptions, MemoryFaults } from './memoryPorts';
export {
  createMemoryPorts,
  MemoryBlobStore,
  MemoryKeyValueStore,
  runInMemory,
  SimulatedCrash,
} from './memoryPorts';
export type { DataRef, Invocation, TraceBatch, TraceEvent, TraceEventKind } from './messages';
export {
  dataRefSchema,
  invocationSchema,
  scopeEntrySchema,
  traceBatchSchema,
  traceEventKinds,
  traceEventSchema,
} from './messages';
export type {
  BlobStore,
  DeliveryInfo,
  FaultPoint,
  Invoker,
  KeyValueStore,
  PlatformFailure,
  PutIfAbsentResult,
  RuntimePorts,
  SlotFillResult,
  SlotFillState,
  TraceSink,
} from './ports';
export { InvokeError } from './ports';
export type {
  ClosedMarker,
  ResultRecord,
  SlotValue,
  StepError,
  StepRecord,
  Tombstone,
} from './records';
export {
  closedMarkerSchema,
  isTombstone,
  resultRecordSchema,
  slotValueSchema,
  startRecordSchema,
  stepRecordSchema,
  tombstoneOf,
  tombstoneSchema,
} from './records';
export type { Route } from './routes';
export { routesOf } from './routes';
export { RuntimeError } from './runtimeError';
export type { StallObservation, StallPolicy, StallVerdict } from './watchdog';
export { stallVerdict } from './watchdog';
