import { fileURLToPath } from 'node:url';
import { expect, pasteIntoEditor, screenshot, test } from '../fixtures';

const example = fileURLToPath(new URL('../../examples/iot-pipeline.json', import.meta.url));

async function positionOf(page: import('@playwright/test').Page, testId: string) {
  const box = await page.getByTestId(testId).boundingBox();
  if (!box) throw new Error(`${testId} is not on screen`);
  return { x: Math.round(box.x), y: Math.round(box.y) };
}

test('import an example, auto-layout, undo and redo', async ({ page, openApp }) => {
  await openApp();
  await page.getByLabel('Import file').setInputFiles(example);
  const canvas = page.getByRole('region', { name: 'Canvas' });
  await expect(canvas).toBeVisible();
  const nodes = page.locator('.react-flow__node');
  await expect(nodes.first()).toBeVisible();
  const firstId = await nodes.first().locator('article').getAttribute('data-testid');
  if (!firstId) throw new Error('no node test id');

  const undo = page.getByRole('button', { name: 'Undo' });
  const redo = page.getByRole('button', { name: 'Redo' });
  await expect(undo).toBeDisabled();

  const before = await positionOf(page, firstId);
  await page.getByRole('button', { name: 'Auto layout' }).click();
  await expect(undo).toBeEnabled();
  await page.getByRole('button', { name: 'Fit view', exact: true }).click();
  await page.waitForTimeout(300);
  const laidOut = await positionOf(page, firstId);

  await undo.click();
  await expect(redo).toBeEnabled();
  await page.getByRole('button', { name: 'Fit view', exact: true }).click();
  await page.waitForTimeout(300);
  expect(await positionOf(page, firstId)).toEqual(before);

  await redo.click();
  await page.getByRole('button', { name: 'Fit view', exact: true }).click();
  await page.waitForTimeout(300);
  expect(await positionOf(page, firstId)).toEqual(laidOut);
  await expect(redo).toBeDisabled();

  // Keyboard: Ctrl/Cmd+Z undoes the layout, Ctrl/Cmd+Shift+Z redoes it.
  await canvas.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(redo).toBeEnabled();
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  await expect(redo).toBeDisabled();

  // Copy/paste, duplicate and delete from the keyboard; each is one undo step.
  const count = await nodes.count();
  await page.getByTestId(firstId).click();
  await page.keyboard.press('ControlOrMeta+C');
  await page.keyboard.press('ControlOrMeta+V');
  await expect(nodes).toHaveCount(count + 1);
  await page.keyboard.press('ControlOrMeta+D');
  await expect(nodes).toHaveCount(count + 2);
  await page.keyboard.press('Delete');
  await expect(nodes).toHaveCount(count + 1);
  await page.keyboard.press('ControlOrMeta+Z');
  await expect(nodes).toHaveCount(count + 2);
  await undo.click();
  await undo.click();
  await expect(nodes).toHaveCount(count);
  await screenshot(page, 'imported');

  // Dark mode: the toggle goes from the system's scheme to the other one.
  await page.getByRole('button', { name: /^Theme:/ }).click();
  const dark = await page.evaluate(() => document.documentElement.dataset.theme);
  if (dark !== 'dark') await page.getByRole('button', { name: /^Theme:/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, 'imported-dark');
});

test('an invalid graph shows problems, marks the step and blocks Deploy', async ({
  page,
  openApp,
  apiCall,
}) => {
  const created = (await apiCall('POST', '/workflows', {
    name: 'to-break',
    graph: {
      name: 'to-break',
      nodes: [
        {
          kind: 'task',
          name: 'first',
          code: 'export async function handler(i: unknown) { return i; }',
          position: { x: 0, y: 0 },
        },
        {
          kind: 'task',
          name: 'second',
          code: 'export async function handler(i: unknown) { return i; }',
          position: { x: 260, y: 0 },
        },
      ],
      edges: [{ id: 'e1', source: 'first', target: 'second' }],
    },
  })) as { id: string };
  await openApp(`/workflows/${created.id}`);
  const deploy = page.getByRole('button', { name: 'Deploy', exact: true });
  await expect(deploy).toBeEnabled();
  const problems = page.getByRole('region', { name: 'Problems' });
  await expect(problems).toContainText(/none|0 errors/);

  // An invalid edit in the code view is flagged and not applied.
  await page.getByRole('button', { name: 'Show code' }).click();
  const editor = page.locator('.code-editor .monaco-editor');
  await editor.click();
  await pasteIntoEditor(page, '{ "name": "to-break", "nodes": [ ');
  await expect(page.getByText(/not applied/)).toBeVisible();
  await expect(problems).toContainText(/none|0 errors/);

  // A valid edit that breaks the workflow: an edge to a step that does not exist.
  await pasteIntoEditor(
    page,
    JSON.stringify({
      name: 'to-break',
      nodes: [
        {
          kind: 'task',
          name: 'first',
          code: 'export async function handler(i: unknown) { return i; }',
          position: { x: 0, y: 0 },
        },
        { kind: 'task', name: 'second', code: '', position: { x: 260, y: 0 } },
      ],
      edges: [
        { id: 'e1', source: 'first', target: 'second' },
        { id: 'e2', source: 'second', target: 'ghost' },
      ],
    }),
  );
  await expect(problems).not.toContainText(/none|0 errors/);
  await expect(problems.locator('.problem.error').first()).toBeVisible();
  await expect(deploy).toBeDisabled();

  await page.getByRole('button', { name: 'Show canvas' }).click();
  await expect(page.locator('.flow-node.has-error').first()).toBeVisible();
  await screenshot(page, 'problems');

  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(problems).toContainText(/none|0 errors/);
  await expect(deploy).toBeEnabled();
});
