import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDriver } from './sqlDriver';
import { openSqliteDriver } from './sqliteDriver';
import { SqlRepository, StoredRowError } from './sqlRepository';

/** Rows are parsed, never cast: a row changed by hand is refused with what is wrong in it. */
describe('SqlRepository row parsing', () => {
  let dir: string;
  let driver: SqlDriver;
  let repo: SqlRepository;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jf-rows-'));
    driver = openSqliteDriver(join(dir, 'jointflow.db'));
    repo = await SqlRepository.open(driver);
  });
  afterAll(async () => {
    await repo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads back what it wrote as typed records', async () => {
    const workflow = await repo.createWorkflow({ name: 'w', graph: { nodes: [], edges: [] } });
    const execution = await repo.createExecution({
      deploymentId: 'dep_0000000000000001',
      workflowId: workflow.id,
      input: { n: 1 },
    });
    const read = await repo.getExecution(execution.id);
    expect(read).toMatchObject({ status: 'running', input: { n: 1 }, lastSeq: 0, closedAt: null });
    expect(await repo.getWorkflow(workflow.id)).toMatchObject({
      name: 'w',
      version: 1,
      graph: { nodes: [], edges: [] },
    });
  });

  it('refuses a row whose status, JSON or event body is not what the API writes', async () => {
    const execution = await repo.createExecution({
      deploymentId: 'dep_0000000000000001',
      workflowId: 'wf_0000000000000001',
      input: null,
    });
    await driver.run("UPDATE executions SET status = 'paused' WHERE id = ?", [execution.id]);
    await expect(repo.getExecution(execution.id)).rejects.toThrow(StoredRowError);
    await expect(repo.getExecution(execution.id)).rejects.toThrow(
      new RegExp(`executions ${execution.id} .*\\(status: `),
    );
    await driver.run("UPDATE executions SET status = 'running', input = '{nope' WHERE id = ?", [
      execution.id,
    ]);
    await expect(repo.getExecution(execution.id)).rejects.toThrow(/input: not JSON/);
    await driver.run(
      'INSERT INTO events (execution_id, seq, event_id, body) VALUES (?, 1, \'x\', \'{"id":"x"}\')',
      [execution.id],
    );
    await expect(repo.listEvents(execution.id, 0, 10)).rejects.toThrow(/events .*body/);
  });
});
