import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect } from '../fixtures';

/** The axe-core check is e2e/fixtures.ts's, shared by every browser test. */
export { axeViolations } from '../fixtures';

/** What the run tests need from the stack: a workflow deployed and ready to run. */
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

/** Creates a workflow, deploys it and waits until every function is ready; returns both ids. */
export async function deployWorkflow(
  apiCall: ApiCall,
  graph: { name: string } & Record<string, unknown>,
): Promise<{ workflowId: string; deploymentId: string }> {
  const created = (await apiCall('POST', '/workflows', { name: graph.name, graph })) as {
    id: string;
  };
  const deployment = (await apiCall('POST', `/workflows/${created.id}/deployments`, {})) as {
    id: string;
  };
  for (let i = 0; i < 400; i++) {
    const state = (await apiCall('GET', `/deployments/${deployment.id}`)) as {
      status: string;
      functions: unknown[];
    };
    if (state.status === 'ready') return { workflowId: created.id, deploymentId: deployment.id };
    if (state.status === 'failed')
      throw new Error(`deployment failed: ${JSON.stringify(state.functions)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('E2E_DEPLOY_TIMEOUT: the deployment was not ready after 400 polls');
}

/** Starts an execution and returns its id. */
export async function startRun(apiCall: ApiCall, deploymentId: string, input: unknown) {
  const started = (await apiCall('POST', `/deployments/${deploymentId}/executions`, {
    input,
  })) as { id: string };
  return started.id;
}

/** Polls an execution until it leaves `running`; returns its status. */
export async function finished(apiCall: ApiCall, id: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const execution = (await apiCall('GET', `/executions/${id}`)) as { status: string };
    if (execution.status !== 'running') return execution.status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`E2E_RUN_TIMEOUT: execution ${id} still running after 600 polls`);
}

/**
 * An outside service the steps call, on loopback, that the test controls: `GET /health` answers
 * 503 while `down` is set; `GET /gate/<n>` is held until the test opens gate n (or all gates).
 */
export async function startOutsideService() {
  let down = true;
  let openBelow = 0;
  const held = new Map<number, ServerResponse[]>();
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/health') {
      res.writeHead(down ? 503 : 200, { 'content-type': 'text/plain' });
      res.end(down ? 'down' : 'ok');
      return;
    }
    const gate = /^\/gate\/(\d+)$/.exec(url);
    if (gate) {
      const n = Number(gate[1]);
      if (n < openBelow) {
        res.end('open');
        return;
      }
      held.set(n, [...(held.get(n) ?? []), res]);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setDown(value: boolean) {
      down = value;
    },
    /** Opens every gate below `n` (held requests for them are answered now). */
    openGatesBelow(n: number) {
      openBelow = Math.max(openBelow, n);
      for (const [gate, responses] of held) {
        if (gate >= openBelow) continue;
        for (const res of responses) res.end('open');
        held.delete(gate);
      }
    },
    close() {
      for (const responses of held.values()) for (const res of responses) res.end('closing');
      server.close();
    },
  };
}

/** Reads the numbers of a step's run label (`running · 3 succeeded · 6 running · 101 pending of 110`). */
export function parseCounts(label: string) {
  const n = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(label)?.[1] ?? 0);
  const total = /of (\d+)/.exec(label)?.[1] ?? /all (\d+)/.exec(label)?.[1];
  return {
    succeeded: n('succeeded'),
    running: n('running'),
    pending: n('pending'),
    failed: n('failed'),
    total: total === undefined ? null : Number(total),
  };
}

/**
 * Selects a step on the run graph the way a person does, once the graph holds still: the graph
 * fits its view after its nodes are measured, and a click whose node moves between press and
 * release lands on the pane, selecting nothing (the cause of the rare misses in the plot and
 * 1024x700 tests). Returns the step panel, showing that step.
 */
export async function selectRunStep(page: Page, name: string): Promise<Locator> {
  const node = page.getByTestId(`node-${name}`);
  const panel = page.getByTestId('step-panel');
  let last = '';
  for (let poll = 0; poll < 50; poll++) {
    const box = JSON.stringify(await node.boundingBox());
    if (box !== 'null' && box === last) break;
    last = box;
    await page.waitForTimeout(100);
  }
  await node.click();
  await expect(panel).toContainText(`Step ${name}`);
  return panel;
}
