import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { expect, screenshot, test } from '../fixtures';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const examples = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => {
    const graph = JSON.parse(readFileSync(examplesDir + file, 'utf8')) as {
      name: string;
      nodes: { name: string; position?: unknown }[];
    };
    return { name: graph.name, steps: graph.nodes.map((n) => n.name) };
  });

type Box = { x: number; y: number; width: number; height: number };

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function boxOf(locator: Locator, what: string): Promise<Box> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${what} has no box on screen`);
  return box;
}

/** Every step of the example is on screen, inside the canvas, and no two step boxes overlap. */
async function expectAllStepsVisibleApart(page: Page, steps: string[]): Promise<void> {
  const canvas = await boxOf(page.getByRole('region', { name: 'Canvas' }), 'the canvas');
  const boxes: [string, Box][] = [];
  for (const step of steps) {
    const node = page.getByTestId(`node-${step}`);
    await expect(node, `step ${step}`).toBeVisible();
    const box = await boxOf(node, `step ${step}`);
    expect(box.x, `${step} left edge inside the canvas`).toBeGreaterThanOrEqual(canvas.x);
    expect(box.y, `${step} top edge inside the canvas`).toBeGreaterThanOrEqual(canvas.y);
    expect(box.x + box.width, `${step} right edge`).toBeLessThanOrEqual(canvas.x + canvas.width);
    expect(box.y + box.height, `${step} bottom edge`).toBeLessThanOrEqual(canvas.y + canvas.height);
    boxes.push([step, box]);
  }
  const overlapping = boxes.flatMap(([a, boxA], i) =>
    boxes.slice(i + 1).flatMap(([b, boxB]) => (overlaps(boxA, boxB) ? [`${a} overlaps ${b}`] : [])),
  );
  expect(overlapping).toEqual([]);
}

test('every shipped example opens with all steps visible and apart, without Auto layout', async ({
  page,
  openApp,
}) => {
  // Loads Monaco and the TypeScript checker: slow on a busy 2-core machine.
  test.slow();
  expect(examples.length).toBeGreaterThanOrEqual(5);
  await openApp();
  for (const example of examples) {
    // Opened from the list, as a person does: `jointflow up` loaded the examples.
    await page.getByRole('link', { name: example.name, exact: true }).first().click();
    await expect(page.locator('.react-flow__node')).toHaveCount(example.steps.length);
    // The view is fitted on the next frame after the load.
    await page.waitForTimeout(400);
    await expectAllStepsVisibleApart(page, example.steps);
    // Opening laid the graph out but changed nothing the user has to save or undo.
    await expect(page.getByRole('button', { name: 'Undo' })).toBeDisabled();
    await expect(page.locator('.workflow-name')).not.toContainText('•');
    if (example.name === 'video-analytics') await screenshot(page, 'example-opened');
    await page.getByRole('link', { name: 'All workflows' }).click();
    await expect(page.getByRole('list', { name: 'Workflows' })).toBeVisible();
  }
});

test('the layout made on open is saved with the next save', async ({ page, openApp, apiCall }) => {
  // Loads Monaco and the TypeScript checker: slow on a busy 2-core machine.
  test.slow();
  const created = (await apiCall('POST', '/workflows', {
    name: 'stacked',
    graph: {
      name: 'stacked',
      nodes: ['a', 'b', 'c'].map((name) => ({
        kind: 'task',
        name,
        code: 'export async function handler(input: unknown) {\n  return input;\n}\n',
        position: { x: 0, y: 0 },
      })),
      edges: [
        { id: 'e1', source: 'a', target: 'b' },
        { id: 'e2', source: 'b', target: 'c' },
      ],
    },
  })) as { id: string };
  await openApp(`/workflows/${created.id}`);
  await expect(page.locator('.react-flow__node')).toHaveCount(3);
  await page.waitForTimeout(400);
  await expectAllStepsVisibleApart(page, ['a', 'b', 'c']);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Saved version');
  const stored = (await apiCall('GET', `/workflows/${created.id}`)) as {
    graph: { nodes: { name: string; position: { x: number; y: number } }[] };
  };
  const xs = stored.graph.nodes.map((n) => n.position.x);
  expect(new Set(xs).size, 'three different columns were stored').toBe(3);
  await apiCall('DELETE', `/workflows/${created.id}`);
});

test('leaving with unsaved changes asks first', async ({ page, openApp, apiCall }) => {
  // Loads Monaco and the TypeScript checker: slow on a busy 2-core machine.
  test.slow();
  const created = (await apiCall('POST', '/workflows', {
    name: 'leave-me',
    graph: { name: 'leave-me', nodes: [], edges: [] },
  })) as { id: string };
  await openApp(`/workflows/${created.id}`);
  await page.getByRole('button', { name: 'Task', exact: true }).click();
  await expect(page.locator('.react-flow__node')).toHaveCount(1);
  await expect(page.locator('.workflow-name')).toContainText('•');

  // In-app navigation: "Cancel" stays in the designer with the edit, "OK" leaves.
  const asked: string[] = [];
  page.once('dialog', (dialog) => {
    asked.push(dialog.message());
    void dialog.dismiss();
  });
  await page.getByRole('link', { name: 'All workflows' }).click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toContain('unsaved changes');
  await expect(page.locator('.react-flow__node')).toHaveCount(1);
  expect(page.url()).toContain(`/workflows/${created.id}`);

  // Closing or reloading the tab: the browser asks through beforeunload.
  const reloadAsked = new Promise<string>((resolve) =>
    page.once('dialog', (dialog) => {
      resolve(dialog.type());
      void dialog.dismiss();
    }),
  );
  // Chromium shows the beforeunload prompt only after the user has interacted with the page.
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  void page.reload().catch(() => undefined);
  expect(await reloadAsked).toBe('beforeunload');

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('link', { name: 'All workflows' }).click();
  await expect(page.getByRole('list', { name: 'Workflows' })).toBeVisible();
  await apiCall('DELETE', `/workflows/${created.id}`);
});
