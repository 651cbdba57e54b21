import { expect, pasteIntoEditor, screenshot, test } from '../fixtures';

const cloudsAnswer = (value: unknown): string[] => {
  const items = Array.isArray(value) ? value : (value as { items: { id: string }[] }).items;
  return items.map((c: { id: string }) => c.id);
};

test('draw a three-step workflow, set clouds, edit code, deploy, run and see every step succeed', async ({
  page,
  openApp,
  apiCall,
}) => {
  const clouds = cloudsAnswer(await apiCall('GET', '/clouds'));
  expect(clouds.length).toBeGreaterThanOrEqual(2);
  const [first = '', second = ''] = clouds;

  await openApp();
  const name = 'three-steps';
  await page.getByLabel('Workflow name').fill(name);
  await page.getByRole('button', { name: 'Create' }).click();

  const canvas = page.getByRole('region', { name: 'Canvas' });
  await expect(canvas).toBeVisible();
  const palette = page.getByRole('navigation', { name: 'Palette' });
  const task = palette.getByRole('button', { name: 'Task', exact: true });
  for (const [i, x] of [200, 480, 760].entries()) {
    await task.dragTo(canvas, { targetPosition: { x, y: 200 + i * 10 } });
  }
  const names = ['task', 'task1', 'task2'];
  for (const n of names) await expect(page.getByTestId(`node-${n}`)).toBeVisible();

  // Connect task -> task1 -> task2 by dragging from each right handle to the next left handle.
  for (const [from, to] of [
    ['task', 'task1'],
    ['task1', 'task2'],
  ] as const) {
    const source = page.getByTestId(`node-${from}`).locator('.react-flow__handle.source');
    const target = page.getByTestId(`node-${to}`).locator('.react-flow__handle.target');
    await source.hover();
    await page.mouse.down();
    const box = await target.boundingBox();
    if (!box) throw new Error(`no handle box for ${to}`);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
  }
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);

  // Place the steps on clouds: the middle one elsewhere, so two edges cross clouds.
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  for (const [n, cloud] of [
    ['task', first],
    ['task1', second],
    ['task2', first],
  ] as const) {
    await page.getByTestId(`node-${n}`).click();
    await inspector.getByLabel('Cloud', { exact: true }).selectOption(cloud);
  }
  await expect(page.locator('.react-flow__edge.edge-cross-cloud')).toHaveCount(2);

  // Edit the middle step's code in Monaco.
  await page.getByTestId('node-task1').click();
  await inspector.getByLabel('Memory (MB)').fill('512');
  const editor = inspector.locator('.node-code .monaco-editor');
  await expect(editor).toBeVisible();
  await editor.click();
  await pasteIntoEditor(
    page,
    'export async function handler(input: { n: number }) {\n  return { n: input.n * 10, via: "task1" };\n}\n',
  );
  // Monaco wraps long lines, so its DOM text is no proof of the edit: the run's result is ("n": 40).
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText(/none|0 errors/);
  await screenshot(page, 'designer');

  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Deploy' });
  await expect(dialog.getByTestId('deployment-status')).toHaveText(/ready|failed/, {
    timeout: 60_000,
  });
  expect(
    await dialog.getByRole('region', { name: 'Deployment progress' }).textContent(),
  ).not.toContain('failed');
  await dialog.getByRole('textbox', { name: 'Input' }).fill('{ "n": 4 }');
  await screenshot(page, 'deploy');
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();

  await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 60_000 });
  for (const n of names) {
    await expect(page.getByTestId(`node-${n}`)).toHaveAttribute('data-status', 'succeeded');
  }
  await expect(page.getByTestId('execution-result')).toContainText('"n": 40');
  await expect(page.getByRole('region', { name: 'Timeline' })).toContainText('task2');
  // The run view shows the timeline, the per-step table and the events as tabs.
  await page.getByRole('tab', { name: 'Events' }).click();
  await expect(page.getByRole('region', { name: 'Events' })).toContainText('step.succeeded');
  await page.getByRole('tab', { name: 'Timeline' }).click();
  await screenshot(page, 'run');
});
