import type { WorkflowIR } from '@jointflow/ir';
import type { TraceEvent } from '@jointflow/runtime';

/** What the API keeps. One interface; `sqlRepository.ts` implements it over SQLite or PostgreSQL. */

export type DeploymentStatus = 'pending' | 'deploying' | 'ready' | 'failed' | 'removed';
export type FunctionStatus = 'pending' | 'deploying' | 'ready' | 'failed' | 'removed';
export type ExecutionStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface WorkflowSummary {
  id: string;
  name: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface WorkflowRecord extends WorkflowSummary {
  /** The latest version's graph, as stored (already parsed by the graph schema). */
  graph: unknown;
}

export interface WorkflowVersionRecord {
  workflowId: string;
  version: number;
  graph: unknown;
  irVersion: string | null;
  createdAt: number;
}

export interface DeploymentFunctionRecord {
  name: string;
  cloud: string;
  role: 'primary' | 'replica';
  status: FunctionStatus;
  reason?: string;
  /** The provider's own word for the function's state while deploying (`Pending`, `Active`…). */
  providerState?: string;
}

export interface DeploymentRecord {
  id: string;
  workflowId: string;
  version: number;
  irVersion: string;
  ir: WorkflowIR;
  status: DeploymentStatus;
  functions: DeploymentFunctionRecord[];
  createdAt: number;
  updatedAt: number;
}

export interface ExecutionRecord {
  id: string;
  deploymentId: string;
  workflowId: string;
  status: ExecutionStatus;
  input: unknown;
  result?: unknown;
  error?: { message: string };
  makespanMs: number | null;
  costUsd: number;
  startedAt: number;
  finishedAt: number | null;
  lastSeq: number;
  lastEventAt: number;
  redrives: number;
  /** Watchdog redrives since the last stored event (reset by any event or a user's redrive). */
  idleRedrives: number;
  /** When its checkpoints were deleted from the clouds (only the closed marker is left there). */
  closedAt: number | null;
  /** Set for a run the runtime started itself: a time window's run of trigger `trigger`. */
  origin?: ExecutionOrigin;
}

export interface ExecutionOrigin {
  kind: 'window';
  trigger: string;
  window: number;
  windowMs?: number;
}

/** Executions linked through time windows: which windows this one fed, which fed this one. */
export interface ExecutionLinks {
  feeds: { execution: string; trigger: string }[];
  fedBy: { execution: string; trigger: string }[];
  /** All producer executions that fed this one (`fedBy` lists the first 100). */
  fedByCount: number;
}

export interface StoredEvent {
  seq: number;
  event: TraceEvent;
}

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
