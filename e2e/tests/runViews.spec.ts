import { expect, screenshot, test } from '../fixtures';
import { axeViolations, deployWorkflow, finished, selectRunStep, startRun } from './runSupport';

const split = `export async function handler(input: { parts: number; text: string }) {
  return { parts: Array.from({ length: input.parts }, (_, i) => input.text.repeat(i + 1)) };
}
`;
const measure = `export async function handler(input: string) {
  return { length: input.length };
}
`;
const total = `export async function handler(input: { length: number }[]) {
  return { total: input.reduce((sum, part) => sum + part.length, 0) };
}
`;
const graph = {
  name: 'measure-parts',
  nodes: [
    { kind: 'task', name: 'split', cloud: 'aws-local', code: split },
    { kind: 'map', name: 'each', cloud: 'aws-local', items: 'parts' },
    { kind: 'task', name: 'measure', cloud: 'auto', code: measure },
    { kind: 'join', name: 'total', cloud: 'aws-local', fanOut: 'each', code: total },
  ],
  edges: [
    { id: 'e1', source: 'split', target: 'each' },
    { id: 'e2', source: 'each', target: 'measure' },
    { id: 'e3', source: 'measure', target: 'total' },
  ],
  sampleInput: { parts: 4, text: 'ab' },
};

test.describe('run view, runs list and compare', () => {
  let workflowId = '';
  let runs: string[] = [];

  test.beforeAll(async ({ playwright }) => {
    test.setTimeout(240_000);
    const token = process.env.JOINTFLOW_E2E_TOKEN ?? '';
    const request = await playwright.request.newContext({
      baseURL: process.env.JOINTFLOW_E2E_URL ?? 'http://127.0.0.1:4300',
    });
    const apiCall = async (method: string, path: string, body?: unknown) => {
      const response = await request.fetch(`/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        data: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok()) throw new Error(`${method} ${path}: ${await response.text()}`);
      return response.json();
    };
    const deployed = await deployWorkflow(apiCall, graph);
    workflowId = deployed.workflowId;
    // 27 runs: one more page than the list's 25 (paged with nextCursor), two different inputs.
    runs = [];
    for (let i = 0; i < 27; i++) {
      const input = i === 26 ? { parts: 6, text: 'abc' } : { parts: 4, text: 'ab' };
      runs.push(await startRun(apiCall, deployed.deploymentId, input));
    }
    for (const id of runs) expect(await finished(apiCall, id)).toBe('succeeded');
    await request.dispose();
  });

  test('at 1024x700 the run view lays out without overlap', async ({ page, openApp }) => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await openApp(`/workflows/${workflowId}/runs/${runs[26]}`);
    await expect(page.getByTestId('execution-status')).toHaveText('succeeded');
    await expect(page.getByTestId('status-measure')).toHaveText('succeeded · all 6');
    const box = async (selector: string) => {
      const b = await page.locator(selector).first().boundingBox();
      if (!b) throw new Error(`${selector} is not visible`);
      return b;
    };
    const overlap = (
      a: { x: number; y: number; width: number; height: number },
      b: { x: number; y: number; width: number; height: number },
    ) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    const result = await box('section[aria-label="Result"]');
    const details = await box('aside[aria-label="Details"]');
    const graphBox = await box('section[aria-label="Run graph"]');
    const timeline = await box('section[aria-label="Timeline"]');
    for (const [name, b] of [
      ['details', details],
      ['graph', graphBox],
      ['timeline', timeline],
    ] as const) {
      expect(b.x + b.width, `${name} fits the width`).toBeLessThanOrEqual(1024 + 0.5);
      expect(b.y + b.height, `${name} fits the height`).toBeLessThanOrEqual(700 + 0.5);
    }
    expect(overlap(graphBox, details)).toBe(false);
    expect(overlap(timeline, details)).toBe(false);
    expect(overlap(graphBox, timeline)).toBe(false);
    // A minimap, if the graph has one, stays inside the graph and off the result panel.
    for (const minimap of await page.locator('.react-flow__minimap').all()) {
      const m = await minimap.boundingBox();
      if (!m) continue;
      expect(overlap(m, result)).toBe(false);
      expect(overlap(m, details)).toBe(false);
    }
    // The controls and every graph node stay in the graph area.
    for (const node of await page.locator('.react-flow__node').all()) {
      const n = await node.boundingBox();
      if (n) expect(overlap(n, details)).toBe(false);
    }
    await screenshot(page, 'run-1024x700');

    // Per-step numbers: money as money, percentiles for the mapped step.
    await page.getByRole('tab', { name: 'Steps' }).click();
    const cost = (await page.getByTestId('step-cost-measure').textContent()) ?? '';
    expect(cost).toMatch(/^\$0\.0+\d{1,2}$/);
    await expect(page.getByTestId('step-row-measure')).toContainText('6 / 6');
    // Clicking a step on the graph selects it: its instances, input, output and cost.
    const step = await selectRunStep(page, 'measure');
    await expect(step).toContainText('code time p50');
    await expect(step).toContainText(/placed on (aws|aliyun)-local/);
    await step.getByRole('button', { name: /measure\/map:each=5/ }).click();
    const instance = page.getByRole('region', { name: 'Instance', exact: true });
    await expect(instance).toContainText('"length": 18');
    await expect(instance).toContainText(/\$0\.0+\d/);
    await expect(instance).toContainText(/queued .* cold start .* running .* committing/);
  });

  test('the runs list pages through every run and compares two side by side', async ({
    page,
    openApp,
  }) => {
    await openApp(`/workflows/${workflowId}/runs/${runs[26]}`);
    await page.getByRole('link', { name: 'All runs', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Runs' })).toBeVisible();
    await expect(page.getByTestId('runs-count')).toHaveText('25 run(s) shown; more to load');
    const newest = page.getByTestId(`run-row-${runs[26]}`);
    await expect(newest).toContainText('succeeded');
    await expect(newest).toContainText('{"parts":6,"text":"abc"}');
    await expect(newest).toContainText(/\$0\.0+\d/);
    await expect(newest).not.toContainText('e-');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(page.getByTestId('runs-count')).toHaveText('27 run(s) shown');
    await expect(page.getByTestId(`run-row-${runs[0]}`)).toBeVisible();

    await page.getByRole('checkbox', { name: `Compare ${runs[0]}` }).check();
    await page.getByRole('checkbox', { name: `Compare ${runs[26]}` }).check();
    await page.getByRole('button', { name: 'Compare selected' }).click();
    const table = page.getByTestId('compare-table');
    await expect(table).toBeVisible();
    await expect(page.getByTestId('compare-row-measure')).toContainText('×4');
    await expect(page.getByTestId('compare-row-measure')).toContainText('×6');
    await expect(page.getByTestId('compare-row-split')).toContainText(/[+-]|±/);
    await expect(table).toContainText('whole run');
    await screenshot(page, 'runs-compare');
    // Any run opens from the comparison.
    await table.getByRole('link', { name: runs[0] }).click();
    await expect(page.getByTestId('execution-status')).toHaveText('succeeded');
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`axe finds no violations on the run view, runs list and compare (${scheme})`, async ({
      page,
      openApp,
    }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await openApp(`/workflows/${workflowId}/runs/${runs[26]}`);
      await expect(page.getByTestId('status-measure')).toHaveText('succeeded · all 6');
      await page.getByTestId('node-measure').click();
      await page
        .getByTestId('step-panel')
        .getByRole('button', { name: /measure\/map:each=2/ })
        .click();
      expect(await axeViolations(page), 'run view, timeline').toEqual([]);
      for (const tab of ['Steps', 'Events']) {
        await page.getByRole('tab', { name: tab }).click();
        expect(await axeViolations(page), `run view, ${tab}`).toEqual([]);
      }
      await page.goto(`/#/workflows/${workflowId}/runs`);
      await expect(page.getByTestId('runs-count')).toContainText('run(s) shown');
      expect(await axeViolations(page), 'runs list').toEqual([]);
      await page.goto(`/#/workflows/${workflowId}/runs/${runs[0]}/compare/${runs[1]}`);
      await expect(page.getByTestId('compare-row-measure')).toBeVisible();
      expect(await axeViolations(page), 'compare').toEqual([]);
      if (scheme === 'dark') await screenshot(page, 'run-compare-dark');
    });
  }
});
