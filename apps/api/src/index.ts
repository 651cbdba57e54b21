export type {
  Deployment,
  DeploymentState,
  EndOfStream,
  ExecutionView,
  FollowOptions,
  SseMessage,
  StreamedTraceEvent,
} from './apiClient';
export { ApiClient, ApiClientError, readSse } from './apiClient';
export type { ApiErrorCode } from './apiError';
export type { EngineResult, EngineRun, ExecutionEngine } from './executionEngine';
export type { ApiServer, ApiServerOptions } from './server';
export { createApiServer } from './server';
