import { expect, test } from '../fixtures';

const slowStep = (ms: number) =>
  `export async function handler(input: { n: number }) {\n  await new Promise((resolve) => setTimeout(resolve, ${ms}));\n  return { n: input.n + 1 };\n}\n`;

test('a reload during a run resumes the live trace', async ({ page, openApp, apiCall }) => {
  const steps = ['one', 'two', 'three', 'four'];
  const created = (await apiCall('POST', '/workflows', {
    name: 'slow-chain',
    graph: {
      name: 'slow-chain',
      nodes: steps.map((name, i) => ({
        kind: 'task',
        name,
        code: slowStep(700),
        position: { x: i * 240, y: 0 },
      })),
      edges: steps.slice(1).map((name, i) => ({ id: `e${i}`, source: steps[i], target: name })),
      sampleInput: { n: 0 },
    },
  })) as { id: string };

  await openApp(`/workflows/${created.id}`);
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Deploy' });
  await expect(dialog.getByTestId('deployment-status')).toHaveText('ready', { timeout: 60_000 });
  await expect(dialog.getByRole('textbox', { name: 'Input' })).toHaveValue(/"n": 0/);
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();

  await expect(page.getByTestId('node-one')).toHaveAttribute('data-status', /running|succeeded/, {
    timeout: 30_000,
  });
  await expect(page.getByTestId('execution-status')).not.toHaveText('succeeded');
  const runUrl = page.url();
  await page.reload();
  expect(page.url()).toBe(runUrl);

  await expect(page.getByTestId('node-one')).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 60_000 });
  for (const step of steps)
    await expect(page.getByTestId(`node-${step}`)).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('execution-result')).toContainText('"n": 4');

  // The past execution is listed and opens again.
  const runs = page.getByRole('navigation', { name: 'Executions' });
  await expect(runs.getByRole('link')).not.toHaveCount(0);
  await runs.getByRole('link').first().click();
  await expect(page.getByTestId('execution-status')).toHaveText(/succeeded|running/);
});
