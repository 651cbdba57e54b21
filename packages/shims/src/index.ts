export type {
  CloudHealth,
  CloudShim,
  FaultSpec,
  FunctionDeployment,
  FunctionState,
} from './cloudShim';
export { deployedFunctionName } from './cloudShim';
export type { CloudEndpoint } from './httpPorts';
export { createHttpBlobs, createHttpInvoker, createHttpStore, invokeEventAt } from './httpPorts';
export type {
  CloudTransport,
  HttpRequest,
  HttpResponse,
  TransportRequest,
} from './httpTransport';
export {
  FROM_CLOUD_HEADER,
  httpRequest,
  httpTransport,
  jsonCall,
  ShimError,
} from './httpTransport';
export type { LocalCloudShim } from './localShim';
export { createLocalShim } from './localShim';
export type {
  CloudStats,
  DeadLetterRow,
  MaybeValue,
  MeteringRow,
  StoreOpCounts,
} from './localWire';
export {
  blobPutResponse,
  deadLetterRow,
  deletePrefixesRequest,
  faultSpecSchema,
  fillSlotRequest,
  fillSlotResponse,
  functionStateSchema,
  getManyRequest,
  getManyResponse,
  getRequest,
  healthResponse,
  localRoutes,
  maybeValue,
  meteringRow,
  pendingResponse,
  putIfAbsentRequest,
  putIfAbsentResponse,
  readSlotsRequest,
  readSlotsResponse,
  statsResponse,
} from './localWire';
