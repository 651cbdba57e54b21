import { randomBytes } from 'node:crypto';
import { type WorkflowIR, workflowIRSchema } from '@jointflow/ir';
import { type TraceEvent, traceEventSchema } from '@jointflow/runtime';
import { z } from 'zod';
import { migrate } from './migrations';
import {
  deploymentFunctionRecordSchema,
  deploymentStatusSchema,
  executionErrorSchema,
  executionOriginSchema,
  executionStatusSchema,
  functionStatusSchema,
} from './records';
import type {
  DeploymentFunctionRecord,
  DeploymentRecord,
  DeploymentStatus,
  ExecutionFilter,
  ExecutionLinks,
  ExecutionOrigin,
  ExecutionRecord,
  FunctionStatus,
  IngestOutcome,
  Page,
  Repository,
  StoredEvent,
  WorkflowRecord,
  WorkflowSummary,
  WorkflowVersionRecord,
} from './repository';
import { Mutex, type SqlDriver, type SqlExecutor, type SqlRow, type SqlValue } from './sqlDriver';

/** A new id: prefix + 16 hex characters; valid inside Lambda/FC function names and keys. */
export function newId(prefix: 'wf' | 'dep' | 'ex'): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** A row that does not match what this API writes: changed by hand, or by another version. */
export class StoredRowError extends Error {}

/**
 * Parses a row with its schema. Rows are outside data to this process (another API version, a
 * person with a database shell may have written them), so none is cast to a record type.
 */
function parseRow<S extends z.ZodType>(schema: S, row: SqlRow, table: string): z.output<S> {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined ? '' : ` (${issue.path.join('.')}: ${issue.message})`;
  const id = typeof row.id === 'string' ? ` ${row.id}` : '';
  throw new StoredRowError(
    `a row of ${table}${id} does not match this API's schema${where}; it was changed outside the API or by another version`,
  );
}

/** A TEXT column holding JSON, parsed. */
const jsonText = z.string().transform((source, ctx) => {
  try {
    return JSON.parse(source) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not JSON' });
    return z.NEVER;
  }
});
/** A TEXT column holding JSON of a given schema. */
const jsonOf = <S extends z.ZodType>(schema: S) => jsonText.pipe(schema);
/** An integer or float column (PostgreSQL BIGINT arrives as a number, see postgresDriver.ts). */
const num = z.number();

const countRow = z.object({ n: num });
const versionRow = z.object({ latest_version: num, name: z.string() });
const deploymentOwnerRow = z.object({ workflow_id: z.string() });
const executionDeploymentRow = z.object({ deployment_id: z.string() });
const lastSeqRow = z.object({ last_seq: num });
const feedRow = z.object({ target_id: z.string(), trigger_name: z.string() });
const fedByRow = z.object({ source_id: z.string(), trigger_name: z.string() });

const workflowSummaryRow = z
  .object({
    id: z.string(),
    name: z.string(),
    latest_version: num,
    created_at: num,
    updated_at: num,
  })
  .transform(
    (row): WorkflowSummary => ({
      id: row.id,
      name: row.name,
      version: row.latest_version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }),
  );

const versionRecordRow = z
  .object({
    workflow_id: z.string(),
    version: num,
    graph: jsonText,
    ir_version: z.string().nullable(),
    created_at: num,
  })
  .transform(
    (row): WorkflowVersionRecord => ({
      workflowId: row.workflow_id,
      version: row.version,
      graph: row.graph,
      irVersion: row.ir_version,
      createdAt: row.created_at,
    }),
  );

const functionRow = z
  .object({
    fn: z.string(),
    cloud: z.string(),
    role: deploymentFunctionRecordSchema.shape.role,
    status: functionStatusSchema,
    reason: z.string().nullable(),
    provider_state: z.string().nullable(),
  })
  .transform((row): DeploymentFunctionRecord => {
    const record: DeploymentFunctionRecord = {
      name: row.fn,
      cloud: row.cloud,
      role: row.role,
      status: row.status,
    };
    if (row.reason !== null) record.reason = row.reason;
    if (row.provider_state !== null) record.providerState = row.provider_state;
    return record;
  });

const deploymentRow = z.object({
  id: z.string(),
  workflow_id: z.string(),
  version: num,
  ir_version: z.string(),
  ir: jsonOf(workflowIRSchema),
  status: deploymentStatusSchema,
  created_at: num,
  updated_at: num,
});

const executionRow = z
  .object({
    id: z.string(),
    deployment_id: z.string(),
    workflow_id: z.string(),
    status: executionStatusSchema,
    input: jsonText,
    result: jsonText.nullable(),
    error: jsonOf(executionErrorSchema).nullable(),
    makespan_ms: num.nullable(),
    cost_usd: num,
    started_at: num,
    finished_at: num.nullable(),
    last_seq: num,
    last_event_at: num,
    redrives: num,
    idle_redrives: num,
    closed_at: num.nullable(),
    origin: jsonOf(executionOriginSchema).nullable(),
  })
  .transform((row): ExecutionRecord => {
    const record: ExecutionRecord = {
      id: row.id,
      deploymentId: row.deployment_id,
      workflowId: row.workflow_id,
      status: row.status,
      input: row.input,
      makespanMs: row.makespan_ms,
      costUsd: row.cost_usd,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      lastSeq: row.last_seq,
      lastEventAt: row.last_event_at,
      redrives: row.redrives,
      idleRedrives: row.idle_redrives,
      closedAt: row.closed_at,
    };
    if (row.result !== null) record.result = row.result;
    if (row.error !== null) record.error = row.error;
    if (row.origin !== null) record.origin = row.origin;
    return record;
  });

/** What a `trigger.received` event of a time window says in its output. */
const windowReceipt = z.object({ execution: z.string(), windowMs: z.number().optional() });

const eventRow = z.object({ seq: num, body: jsonOf(traceEventSchema) });

function json(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

/** Cursors are opaque to clients: base64url of `[sortKey, id]`. */
function encodeCursor(sortKey: number, id: string): string {
  return Buffer.from(JSON.stringify([sortKey, id])).toString('base64url');
}

export class CursorError extends Error {}

/**
 * One page of a keyset query that fetched `limit + 1` rows: the extra row only says that a
 * next page exists, and the cursor points after the page's last item.
 */
function keysetPage<Row, Item extends { id: string }>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  sortKeyOf: (item: Item) => number,
): { items: Item[]; nextCursor: string | null } {
  const items = rows.slice(0, limit).map(toItem);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > limit && last !== undefined ? encodeCursor(sortKeyOf(last), last.id) : null,
  };
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'number' &&
      typeof value[1] === 'string'
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through
  }
  throw new CursorError('the cursor is not one this API handed out; start again without it');
}

/** LISTEN/NOTIFY channel whose payload is the id of an execution that changed. */
const EXECUTION_CHANNEL = 'jointflow_execution';
/** The advisory lock whose holder runs the watchdog (one per database). */
const WATCHDOG_LOCK = 0x4a460002;

const finished: ReadonlySet<string> = new Set(['execution.succeeded', 'execution.failed']);

const toWorkflowSummary = (row: SqlRow) => parseRow(workflowSummaryRow, row, 'workflows');
const toVersion = (row: SqlRow) => parseRow(versionRecordRow, row, 'workflow_versions');
const toExecution = (row: SqlRow) => parseRow(executionRow, row, 'executions');

/** Events that say an execution moved: a commit, a trigger's decision, the end. */
const PROGRESS_KINDS: ReadonlySet<TraceEvent['kind']> = new Set([
  'step.succeeded',
  'step.failed',
  'trigger.fired',
  'execution.succeeded',
  'execution.failed',
]);

/** The window a runtime-started execution id names (`wnd.<trigger>.<window>.<hash>`). */
function windowOrigin(id: string, windowMs?: number): ExecutionOrigin | undefined {
  const match = /^wnd\.([a-zA-Z][a-zA-Z0-9_-]{0,62})\.(\d{1,16})\.[0-9a-f]{12}$/.exec(id);
  if (match === null) return undefined;
  return {
    kind: 'window',
    trigger: match[1] as string,
    window: Number(match[2]),
    ...(windowMs === undefined ? {} : { windowMs }),
  };
}

/**
 * The repository over either SQL driver. Event ingest runs under a lock so sequence numbers
 * are assigned without gaps or races in this process; the row update of `last_seq` also locks
 * the execution row in PostgreSQL.
 */
export class SqlRepository implements Repository {
  private readonly ingestLock = new Mutex();

  private constructor(private readonly db: SqlDriver) {}

  static async open(db: SqlDriver): Promise<SqlRepository> {
    await migrate(db);
    return new SqlRepository(db);
  }

  get kind(): 'sqlite' | 'postgres' {
    return this.db.kind;
  }

  async createWorkflow(input: { name: string; graph: unknown }) {
    const id = newId('wf');
    const now = Date.now();
    await this.db.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO workflows (id, name, latest_version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)',
        [id, input.name, now, now],
      );
      await tx.run(
        'INSERT INTO workflow_versions (workflow_id, version, graph, created_at) VALUES (?, 1, ?, ?)',
        [id, json(input.graph), now],
      );
    });
    return { id, version: 1 };
  }

  async listWorkflows(page: { cursor?: string; limit: number }): Promise<Page<WorkflowSummary>> {
    const params: SqlValue[] = [];
    let where = '';
    if (page.cursor !== undefined) {
      const [updatedAt, id] = decodeCursor(page.cursor);
      where = 'WHERE updated_at < ? OR (updated_at = ? AND id < ?)';
      params.push(updatedAt, updatedAt, id);
    }
    const rows = await this.db.all(
      `SELECT * FROM workflows ${where} ORDER BY updated_at DESC, id DESC LIMIT ?`,
      [...params, page.limit + 1],
    );
    return keysetPage(rows, page.limit, toWorkflowSummary, (w) => w.updatedAt);
  }

  async getWorkflow(id: string): Promise<WorkflowRecord | undefined> {
    const rows = await this.db.all(
      `SELECT w.*, v.graph FROM workflows w
       JOIN workflow_versions v ON v.workflow_id = w.id AND v.version = w.latest_version
       WHERE w.id = ?`,
      [id],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      ...toWorkflowSummary(row),
      graph: parseRow(z.object({ graph: jsonText }), row, 'workflow_versions').graph,
    };
  }

  async addWorkflowVersion(id: string, input: { name?: string; graph: unknown }) {
    return this.db.transaction(async (tx) => {
      const rows = await tx.all('SELECT latest_version, name FROM workflows WHERE id = ?', [id]);
      const row = rows[0];
      if (row === undefined) return undefined;
      const latest = parseRow(versionRow, row, 'workflows');
      const version = latest.latest_version + 1;
      const now = Date.now();
      await tx.run(
        'UPDATE workflows SET latest_version = ?, name = ?, updated_at = ? WHERE id = ?',
        [version, input.name ?? latest.name, now, id],
      );
      await tx.run(
        'INSERT INTO workflow_versions (workflow_id, version, graph, created_at) VALUES (?, ?, ?, ?)',
        [id, version, json(input.graph), now],
      );
      return { id, version };
    });
  }

  async deleteWorkflow(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.run('DELETE FROM workflows WHERE id = ?', [id]);
      await tx.run('DELETE FROM workflow_versions WHERE workflow_id = ?', [id]);
      return changed > 0;
    });
  }

  async listWorkflowVersions(id: string): Promise<WorkflowVersionRecord[] | undefined> {
    const exists = await this.db.all('SELECT id FROM workflows WHERE id = ?', [id]);
    if (exists.length === 0) return undefined;
    const rows = await this.db.all(
      'SELECT * FROM workflow_versions WHERE workflow_id = ? ORDER BY version DESC',
      [id],
    );
    return rows.map(toVersion);
  }

  async getWorkflowVersion(id: string, version: number) {
    const rows = await this.db.all(
      'SELECT * FROM workflow_versions WHERE workflow_id = ? AND version = ?',
      [id, version],
    );
    const row = rows[0];
    return row === undefined ? undefined : toVersion(row);
  }

  async setVersionIrVersion(id: string, version: number, irVersion: string): Promise<void> {
    await this.db.run(
      'UPDATE workflow_versions SET ir_version = ? WHERE workflow_id = ? AND version = ?',
      [irVersion, id, version],
    );
  }

  async createDeployment(input: {
    workflowId: string;
    version: number;
    ir: WorkflowIR;
    functions: { name: string; cloud: string; role: 'primary' | 'replica' }[];
  }): Promise<DeploymentRecord> {
    const id = newId('dep');
    const now = Date.now();
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO deployments (id, workflow_id, version, ir, ir_version, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
        [id, input.workflowId, input.version, json(input.ir), input.ir.version, now, now],
      );
      for (const fn of input.functions) {
        await tx.run(
          `INSERT INTO deployment_functions (deployment_id, fn, cloud, role, status, updated_at)
           VALUES (?, ?, ?, ?, 'pending', ?)`,
          [id, fn.name, fn.cloud, fn.role, now],
        );
      }
    });
    const created = await this.getDeployment(id);
    if (created === undefined) throw new Error(`deployment ${id} vanished after insert`);
    return created;
  }

  private async functionsOf(deploymentId: string): Promise<DeploymentFunctionRecord[]> {
    const rows = await this.db.all(
      'SELECT * FROM deployment_functions WHERE deployment_id = ? ORDER BY fn, role, cloud',
      [deploymentId],
    );
    return rows.map((row) => parseRow(functionRow, row, 'deployment_functions'));
  }

  private async toDeployment(row: SqlRow): Promise<DeploymentRecord> {
    const deployment = parseRow(deploymentRow, row, 'deployments');
    return {
      id: deployment.id,
      workflowId: deployment.workflow_id,
      version: deployment.version,
      irVersion: deployment.ir_version,
      ir: deployment.ir,
      status: deployment.status,
      functions: await this.functionsOf(deployment.id),
      createdAt: deployment.created_at,
      updatedAt: deployment.updated_at,
    };
  }

  async getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    const rows = await this.db.all('SELECT * FROM deployments WHERE id = ?', [id]);
    const row = rows[0];
    return row === undefined ? undefined : this.toDeployment(row);
  }

  async listDeployments(workflowId: string): Promise<DeploymentRecord[]> {
    const rows = await this.db.all(
      'SELECT * FROM deployments WHERE workflow_id = ? ORDER BY created_at DESC, id DESC LIMIT 100',
      [workflowId],
    );
    return Promise.all(rows.map((row) => this.toDeployment(row)));
  }

  async setDeploymentStatus(id: string, status: DeploymentStatus): Promise<void> {
    await this.db.run('UPDATE deployments SET status = ?, updated_at = ? WHERE id = ?', [
      status,
      Date.now(),
      id,
    ]);
  }

  async setFunctionStatus(
    deploymentId: string,
    name: string,
    cloud: string,
    status: FunctionStatus,
    reason?: string,
  ): Promise<void> {
    await this.db.run(
      `UPDATE deployment_functions SET status = ?, reason = ?, updated_at = ?
       WHERE deployment_id = ? AND fn = ? AND cloud = ?`,
      [status, reason ?? null, Date.now(), deploymentId, name, cloud],
    );
  }

  async setFunctionProviderState(
    deploymentId: string,
    name: string,
    cloud: string,
    providerState: string,
  ): Promise<void> {
    await this.db.run(
      `UPDATE deployment_functions SET provider_state = ?, updated_at = ?
       WHERE deployment_id = ? AND fn = ? AND cloud = ?`,
      [providerState.slice(0, 200), Date.now(), deploymentId, name, cloud],
    );
  }

  async createExecution(input: {
    deploymentId: string;
    workflowId: string;
    input: unknown;
  }): Promise<ExecutionRecord> {
    const id = newId('ex');
    const now = Date.now();
    await this.db.run(
      `INSERT INTO executions (id, deployment_id, workflow_id, status, input, started_at, last_event_at)
       VALUES (?, ?, ?, 'running', ?, ?, ?)`,
      [id, input.deploymentId, input.workflowId, json(input.input), now, now],
    );
    const created = await this.getExecution(id);
    if (created === undefined) throw new Error(`execution ${id} vanished after insert`);
    return created;
  }

  async getExecutionLinks(id: string): Promise<ExecutionLinks> {
    const feeds = await this.db.all(
      'SELECT target_id, trigger_name FROM execution_links WHERE source_id = ? ORDER BY created_at LIMIT 100',
      [id],
    );
    const fedBy = await this.db.all(
      'SELECT source_id, trigger_name FROM execution_links WHERE target_id = ? ORDER BY created_at LIMIT 100',
      [id],
    );
    const count = await this.db.all(
      'SELECT COUNT(*) AS n FROM execution_links WHERE target_id = ?',
      [id],
    );
    return {
      feeds: feeds.map((r) => {
        const link = parseRow(feedRow, r, 'execution_links');
        return { execution: link.target_id, trigger: link.trigger_name };
      }),
      fedBy: fedBy.map((r) => {
        const link = parseRow(fedByRow, r, 'execution_links');
        return { execution: link.source_id, trigger: link.trigger_name };
      }),
      fedByCount: count[0] === undefined ? 0 : parseRow(countRow, count[0], 'execution_links').n,
    };
  }

  /**
   * A time window's run: the runtime starts it, so the API learns of it from the trace. The
   * ingest secret already proved the event is the deployment's, so the row goes under it.
   */
  private async ensureWindowExecution(
    tx: SqlExecutor,
    id: string,
    deployment: string,
    now: number,
    windowMs?: number,
  ): Promise<boolean> {
    const origin = windowOrigin(id, windowMs);
    if (origin === undefined) return false;
    const owner = await tx.all('SELECT workflow_id FROM deployments WHERE id = ?', [deployment]);
    if (owner[0] === undefined) return false;
    await tx.run(
      `INSERT INTO executions (id, deployment_id, workflow_id, status, input, started_at, last_event_at, origin)
       VALUES (?, ?, ?, 'running', 'null', ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      [
        id,
        deployment,
        parseRow(deploymentOwnerRow, owner[0], 'deployments').workflow_id,
        now,
        now,
        json(origin),
      ],
    );
    return true;
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    const rows = await this.db.all('SELECT * FROM executions WHERE id = ?', [id]);
    const row = rows[0];
    return row === undefined ? undefined : toExecution(row);
  }

  async listExecutions(filter: ExecutionFilter): Promise<Page<ExecutionRecord>> {
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (filter.workflow !== undefined) {
      conditions.push('workflow_id = ?');
      params.push(filter.workflow);
    }
    if (filter.deployment !== undefined) {
      conditions.push('deployment_id = ?');
      params.push(filter.deployment);
    }
    if (filter.status !== undefined) {
      conditions.push('status = ?');
      params.push(filter.status);
    }
    if (filter.cursor !== undefined) {
      const [startedAt, id] = decodeCursor(filter.cursor);
      conditions.push('(started_at < ? OR (started_at = ? AND id < ?))');
      params.push(startedAt, startedAt, id);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.db.all(
      `SELECT * FROM executions ${where} ORDER BY started_at DESC, id DESC LIMIT ?`,
      [...params, filter.limit + 1],
    );
    return keysetPage(rows, filter.limit, toExecution, (e) => e.startedAt);
  }

  async finishExecution(
    id: string,
    outcome:
      | { status: 'succeeded'; result: unknown; finishedAt: number }
      | { status: 'failed'; error: { message: string }; finishedAt: number },
  ): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE executions SET status = ?, result = ?, error = ?, finished_at = ?,
         makespan_ms = ? - started_at
       WHERE id = ? AND status = 'running'`,
      [
        outcome.status,
        outcome.status === 'succeeded' ? json(outcome.result) : null,
        outcome.status === 'failed' ? json(outcome.error) : null,
        outcome.finishedAt,
        outcome.finishedAt,
        id,
      ],
    );
    if (changed > 0) await this.notifyChanged(this.db, id);
    return changed > 0;
  }

  async cancelExecution(id: string, at: number): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE executions SET status = 'cancelled', result = NULL, error = ?,
         finished_at = ?, makespan_ms = ? - started_at, closed_at = ?
       WHERE id = ? AND status = 'running'`,
      [json({ message: 'cancelled by a user' }), at, at, at, id],
    );
    if (changed > 0) await this.notifyChanged(this.db, id);
    return changed > 0;
  }

  async recordOutcome(
    id: string,
    outcome:
      | { status: 'succeeded'; result: unknown }
      | { status: 'failed'; error: { message: string } }
      | { status: 'cancelled' },
  ): Promise<void> {
    if (outcome.status === 'cancelled') {
      await this.cancelExecution(id, Date.now());
      return;
    }
    const now = Date.now();
    await this.db.run(
      `UPDATE executions SET status = ?, result = ?, error = ?,
         finished_at = COALESCE(finished_at, ?), makespan_ms = COALESCE(makespan_ms, ? - started_at)
       WHERE id = ?`,
      [
        outcome.status,
        outcome.status === 'succeeded' ? json(outcome.result) : null,
        outcome.status === 'failed' ? json(outcome.error) : null,
        now,
        now,
        id,
      ],
    );
    await this.notifyChanged(this.db, id);
  }

  async markRedriven(id: string, cause: 'watchdog' | 'user'): Promise<ExecutionRecord | undefined> {
    await this.db.run(
      `UPDATE executions SET status = 'running', error = NULL, finished_at = NULL, makespan_ms = NULL,
         redrives = redrives + 1, last_event_at = ?,
         idle_redrives = ${cause === 'watchdog' ? 'idle_redrives + 1' : '0'}
       WHERE id = ? AND status <> 'succeeded' AND closed_at IS NULL`,
      [Date.now(), id],
    );
    await this.notifyChanged(this.db, id);
    return this.getExecution(id);
  }

  async listClosable(
    succeededBefore: number,
    failedBefore: number,
    limit: number,
  ): Promise<ExecutionRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM executions WHERE closed_at IS NULL
         AND ((status = 'succeeded' AND finished_at < ?) OR (status = 'failed' AND finished_at < ?))
       ORDER BY finished_at LIMIT ?`,
      [succeededBefore, failedBefore, limit],
    );
    return rows.map(toExecution);
  }

  async markClosed(id: string, at: number): Promise<void> {
    await this.db.run('UPDATE executions SET closed_at = ? WHERE id = ?', [at, id]);
  }

  async listStalledExecutions(before: number, limit: number): Promise<ExecutionRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM executions WHERE status = 'running' AND last_event_at < ?
       ORDER BY last_event_at LIMIT ?`,
      [before, limit],
    );
    return rows.map(toExecution);
  }

  async ingestEvents(events: readonly TraceEvent[]): Promise<IngestOutcome> {
    return this.ingestLock.run(() => this.retryingConflicts(() => this.ingestOnce(events)));
  }

  private ingestOnce(events: readonly TraceEvent[]): Promise<IngestOutcome> {
    return this.db.transaction(async (tx) => {
      const outcome: IngestOutcome = { stored: [], duplicates: 0, unknown: 0 };
      const now = Date.now();
      const executions = [...new Set(events.map((e) => e.execution))].sort();
      if (this.db.kind === 'postgres' && executions.length > 0) {
        // Another API process may ingest the same batch at the same moment (a sender retried
        // through the load balancer): lock the executions' rows first, always in id order (no
        // deadlock between two batches), so the duplicate check below sees the other's commit.
        await tx.all(
          `SELECT id FROM executions WHERE id IN (${executions.map(() => '?').join(', ')})
           ORDER BY id FOR UPDATE`,
          executions,
        );
      }
      for (const event of events) {
        const seq = await this.storeEvent(tx, event, now);
        if (seq === 'duplicate') outcome.duplicates += 1;
        else if (seq === 'unknown') outcome.unknown += 1;
        else outcome.stored.push({ seq, event });
      }
      const touched = new Set(outcome.stored.map((s) => s.event.execution));
      for (const id of touched) await this.notifyChanged(tx, id);
      return outcome;
    });
  }

  /**
   * Runs `work` again when PostgreSQL aborted it for a unique-key race (a window's execution
   * created by two processes at once) or a deadlock: the next try sees the other's commit.
   */
  private async retryingConflicts<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const retryable = code === '23505' || code === '40P01' || code === '40001';
        if (!retryable || attempt >= 5) throw error;
      }
    }
  }

  /**
   * Tells the other API processes on this database that an execution changed (new events, an
   * end state), so their event streams wake at once. Sent on commit; SQLite has one process.
   */
  private async notifyChanged(exec: SqlExecutor, id: string): Promise<void> {
    if (this.db.kind !== 'postgres') return;
    await exec.all('SELECT pg_notify(?, ?)', [EXECUTION_CHANNEL, id]);
  }

  onExecutionChanged(listener: (id: string) => void): () => void {
    return this.db.coordination?.listen(EXECUTION_CHANNEL, listener) ?? (() => {});
  }

  async leadsWatchdog(): Promise<boolean> {
    return this.db.coordination === undefined ? true : this.db.coordination.tryHold(WATCHDOG_LOCK);
  }

  /** A producer's object reached a time window: the window's execution exists, and the link. */
  private async linkWindow(tx: SqlExecutor, event: TraceEvent, now: number): Promise<void> {
    if (event.kind !== 'trigger.received') return;
    const received = windowReceipt.safeParse(event.output);
    if (!received.success || received.data.execution === event.execution) return;
    const { execution: target, windowMs } = received.data;
    const producer = await tx.all('SELECT deployment_id FROM executions WHERE id = ?', [
      event.execution,
    ]);
    if (
      producer[0] === undefined ||
      parseRow(executionDeploymentRow, producer[0], 'executions').deployment_id !== event.deployment
    )
      return;
    if (!(await this.ensureWindowExecution(tx, target, event.deployment, now, windowMs))) return;
    await tx.run(
      `INSERT INTO execution_links (source_id, target_id, trigger_name, created_at)
       VALUES (?, ?, ?, ?) ON CONFLICT (source_id, target_id) DO NOTHING`,
      [event.execution, target, event.node, now],
    );
  }

  private async storeEvent(
    tx: SqlExecutor,
    event: TraceEvent,
    now: number,
  ): Promise<number | 'duplicate' | 'unknown'> {
    const seen = await tx.all('SELECT seq FROM events WHERE event_id = ?', [event.id]);
    if (seen.length > 0) return 'duplicate';
    await this.linkWindow(tx, event, now);
    const cost = typeof event.costUsd === 'number' && event.kind === 'invocation.billed';
    // The watchdog's budget of idle redrives counts progress of steps, not events: a step that
    // crashes on every delivery emits `step.started` each time without moving the execution.
    const progress = PROGRESS_KINDS.has(event.kind) ? 1 : 0;
    const bumped = await tx.all(
      `UPDATE executions SET last_seq = last_seq + 1, last_event_at = ?, cost_usd = cost_usd + ?,
         idle_redrives = CASE WHEN ? = 1 THEN 0 ELSE idle_redrives END
       WHERE id = ? AND deployment_id = ? RETURNING last_seq`,
      // The deployment is the one whose ingest secret signed the batch (checked by the route):
      // another deployment's execution is unknown to it, whatever id the event names.
      [now, cost ? (event.costUsd ?? 0) : 0, progress, event.execution, event.deployment],
    );
    let row = bumped[0];
    if (
      row === undefined &&
      (await this.ensureWindowExecution(tx, event.execution, event.deployment, now))
    ) {
      const retried = await tx.all(
        `UPDATE executions SET last_seq = last_seq + 1, last_event_at = ?, cost_usd = cost_usd + ?
         WHERE id = ? AND deployment_id = ? RETURNING last_seq`,
        [now, cost ? (event.costUsd ?? 0) : 0, event.execution, event.deployment],
      );
      row = retried[0];
    }
    if (row === undefined) return 'unknown';
    const seq = parseRow(lastSeqRow, row, 'executions').last_seq;
    await tx.run('INSERT INTO events (execution_id, seq, event_id, body) VALUES (?, ?, ?, ?)', [
      event.execution,
      seq,
      event.id,
      JSON.stringify(event),
    ]);
    if (finished.has(event.kind)) {
      // Status moves only forward: the first terminal event wins; the API confirms it from the
      // result store afterwards.
      await tx.run(
        `UPDATE executions SET status = ?, finished_at = ?, makespan_ms = ? - started_at,
           result = ?, error = ?
         WHERE id = ? AND status = 'running'`,
        [
          event.kind === 'execution.succeeded' ? 'succeeded' : 'failed',
          event.at,
          event.at,
          event.kind === 'execution.succeeded' ? json(event.output) : null,
          event.kind === 'execution.failed'
            ? json({ message: event.error?.message ?? 'the execution failed' })
            : null,
          event.execution,
        ],
      );
    }
    return seq;
  }

  async listEvents(executionId: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db.all(
      'SELECT seq, body FROM events WHERE execution_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      [executionId, afterSeq, limit],
    );
    return rows.map((row) => {
      const stored = parseRow(eventRow, row, 'events');
      return { seq: stored.seq, event: stored.body };
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
