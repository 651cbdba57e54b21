import type { CloudShim } from '@jointflow/shims';
import type { ApiLogger } from './apiLogger';
import type { CompilePool } from './compilePool';
import type { EventHub } from './eventHub';
import type { ExecutionEngine } from './executionEngine';
import type { OtelExporter } from './otelExport';
import type { Secrets } from './secrets';
import type { Repository } from './store/repository';

/** Everything route handlers share; built once by `createApiServer`. */
export interface ApiContext {
  repo: Repository;
  secrets: Secrets;
  hub: EventHub;
  engine: ExecutionEngine;
  clouds: ReadonlyMap<string, CloudShim>;
  /** Compiler and planner off the event loop (worker threads). */
  compiler: CompilePool;
  /** Where deployed functions send trace events: this API's `/api/v1/ingest`. */
  ingestUrl(): string;
  /** Background work (deploy rollouts, result checks) that `close()` waits for. */
  track(work: Promise<unknown>): void;
  /** Structured logs; `ctx.log('…')` alone logs a warning (see ApiLogger). Never a secret. */
  log: ApiLogger;
  /** True once `close()` began: long-lived streams end. */
  isClosing(): boolean;
  /** Exports finished executions as OpenTelemetry traces, when configured. */
  otel?: OtelExporter;
}
