export type {
  BlobStore,
  DataRef,
  DeliveryInfo,
  FaultPoint,
  Invocation,
  Invoker,
  KeyValueStore,
  PutIfAbsentResult,
  RuntimePorts,
  SlotFillResult,
  TraceEvent,
  TraceEventKind,
  TraceSink,
} from './ports';
export { InvokeError, traceEventKinds } from './ports';
