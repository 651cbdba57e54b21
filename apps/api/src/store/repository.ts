import type { WorkflowIR } from '@jointflow/ir';
import type { TraceEvent } from '@jointflow/runtime';

import type {
  DeploymentRecord,
  DeploymentStatus,
  ExecutionLinks,
  ExecutionRecord,
  ExecutionStatus,
  FunctionStatus,
  StoredEvent,
  WorkflowRecord,
  WorkflowSummary,
  WorkflowVersionRecord,
} from './records';

/**
 * What the API keeps. One interface; `sqlRepository.ts` implements it over SQLite or PostgreSQL.
 * The records are zod schemas (`records.ts`); every row is parsed into one.
 */
export type {
  DeploymentFunctionRecord,
  DeploymentRecord,
  DeploymentStatus,
  ExecutionLinks,
  ExecutionOrigin,
  ExecutionRecord,
  ExecutionStatus,
  FunctionStatus,
  StoredEvent,
  WorkflowRecord,
  WorkflowSummary,
  WorkflowVersionRecord,
} from './records';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ExecutionFilter {
  workflow?: string;
  deployment?: string;
  status?: ExecutionStatus;
  cursor?: string;
  limit: number;
}

export interface IngestOutcome {
  /** Newly stored events with their sequence numbers, in the order they were stored. */
  stored: StoredEvent[];
  duplicates: number;
  /** Events naming an execution this API does not know. */
  unknown: number;
}

export interface Repository {
  readonly kind: 'sqlite' | 'postgres';
  createWorkflow(input: { name: string; graph: unknown }): Promise<{ id: string; version: number }>;
  listWorkflows(page: { cursor?: string; limit: number }): Promise<Page<WorkflowSummary>>;
  getWorkflow(id: string): Promise<WorkflowRecord | undefined>;
  /** Stores a new version; `undefined` when the workflow does not exist. */
  addWorkflowVersion(
    id: string,
    input: { name?: string; graph: unknown },
  ): Promise<{ id: string; version: number } | undefined>;
  deleteWorkflow(id: string): Promise<boolean>;
  listWorkflowVersions(id: string): Promise<WorkflowVersionRecord[] | undefined>;
  getWorkflowVersion(id: string, version: number): Promise<WorkflowVersionRecord | undefined>;
  setVersionIrVersion(id: string, version: number, irVersion: string): Promise<void>;

  createDeployment(input: {
    workflowId: string;
    version: number;
    ir: WorkflowIR;
    functions: { name: string; cloud: string; role: 'primary' | 'replica' }[];
  }): Promise<DeploymentRecord>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  listDeployments(workflowId: string): Promise<DeploymentRecord[]>;
  setDeploymentStatus(id: string, status: DeploymentStatus): Promise<void>;
  setFunctionStatus(
    deploymentId: string,
    name: string,
    cloud: string,
    status: FunctionStatus,
    reason?: string,
  ): Promise<void>;
  setFunctionProviderState(
    deploymentId: string,
    name: string,
    cloud: string,
    providerState: string,
  ): Promise<void>;

  createExecution(input: {
    deploymentId: string;
    workflowId: string;
    input: unknown;
  }): Promise<ExecutionRecord>;
  getExecution(id: string): Promise<ExecutionRecord | undefined>;
  /** The window links of an execution (empty lists for most). */
  getExecutionLinks(id: string): Promise<ExecutionLinks>;
  listExecutions(filter: ExecutionFilter): Promise<Page<ExecutionRecord>>;
  /** Moves a running execution to its end state; false if it was not running. */
  finishExecution(
    id: string,
    outcome:
      | { status: 'succeeded'; result: unknown; finishedAt: number }
      | { status: 'failed'; error: { message: string }; finishedAt: number },
  ): Promise<boolean>;
  /**
   * Records the outcome read from the result store (the source of truth): overrides the preview
   * taken from the terminal trace event, keeps the first finish time.
   */
  recordOutcome(
    id: string,
    outcome:
      | { status: 'succeeded'; result: unknown }
      | { status: 'failed'; error: { message: string } }
      | { status: 'cancelled' },
  ): Promise<void>;
  /** Marks a running execution cancelled and closed (its items are sealed); false if not running. */
  cancelExecution(id: string, at: number): Promise<boolean>;
  /** Puts a failed or stalled execution back to running for a redrive. */
  markRedriven(id: string, cause: 'watchdog' | 'user'): Promise<ExecutionRecord | undefined>;
  /**
   * Finished, not yet closed executions: succeeded before `succeededBefore` or failed before
   * `failedBefore` (epoch ms).
   */
  listClosable(
    succeededBefore: number,
    failedBefore: number,
    limit: number,
  ): Promise<ExecutionRecord[]>;
  markClosed(id: string, at: number): Promise<void>;
  /** Running executions that stored no event since `before` (epoch ms). */
  listStalledExecutions(before: number, limit: number): Promise<ExecutionRecord[]>;

  /** Stores events idempotently by event id, numbering them per execution. */
  ingestEvents(events: readonly TraceEvent[]): Promise<IngestOutcome>;
  listEvents(executionId: string, afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /**
   * Calls `listener` with the id of an execution another API process on this database changed
   * (PostgreSQL LISTEN/NOTIFY; never called for SQLite, which one process owns).
   */
  onExecutionChanged(listener: (id: string) => void): () => void;
  /**
   * True when this process runs the watchdog: the one holder of the database's watchdog lock
   * (PostgreSQL), taken over by another process when its holder's session ends. Always true on
   * SQLite.
   */
  leadsWatchdog(): Promise<boolean>;
  close(): Promise<void>;
}
