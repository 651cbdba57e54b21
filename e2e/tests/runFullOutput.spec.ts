import { readFileSync } from 'node:fs';
import { expect, screenshot, test } from '../fixtures';
import { deployWorkflow, selectRunStep, startRun } from './runSupport';

// A step returns about 1.4 MB: its trace event carries only a blob pointer, and the run view
// loads the full value from the API on demand and offers it as a download.
test('the run view shows and downloads a step output stored as a blob', async ({
  page,
  openApp,
  apiCall,
}) => {
  const big = `export async function handler(input: { n: number }) {
  return { rows: Array.from({ length: input.n }, (_, i) => ({ i, label: 'row ' + i })) };
}
`;
  const count = `export async function handler(input: { rows: unknown[] }) {
  return { count: input.rows.length };
}
`;
  const { workflowId, deploymentId } = await deployWorkflow(apiCall, {
    name: 'big-output',
    nodes: [
      { kind: 'task', name: 'big', cloud: 'aws-local', code: big },
      { kind: 'task', name: 'count', cloud: 'aliyun-local', code: count },
    ],
    edges: [{ id: 'e1', source: 'big', target: 'count' }],
    sampleInput: { n: 50_000 },
  });
  const id = await startRun(apiCall, deploymentId, { n: 50_000 });
  await openApp(`/workflows/${workflowId}/runs/${id}`);
  await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 60_000 });

  await selectRunStep(page, 'big');
  const load = page.getByRole('button', { name: /Load full output \([\d,]+ bytes\)/ });
  await expect(load).toBeVisible();
  await load.click();
  await expect(page.getByTestId('full-output-value')).toContainText('"label": "row 0"', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('full-output')).toContainText('download it for all');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: /Download JSON/ }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`${id}-big.json`);
  const saved = JSON.parse(readFileSync(await file.path(), 'utf8')) as {
    rows: { label: string }[];
  };
  expect(saved.rows).toHaveLength(50_000);
  expect(saved.rows[49_999]?.label).toBe('row 49999');
  await screenshot(page, 'run-full-output');
});
