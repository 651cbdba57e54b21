import { expect, test } from '../fixtures';

const CODE = 'export async function handler(input: unknown) {\n  return input;\n}\n';

async function createTwoSteps(
  apiCall: (method: string, path: string, body?: unknown) => Promise<unknown>,
  name: string,
): Promise<string> {
  const created = (await apiCall('POST', '/workflows', {
    name,
    graph: {
      name,
      nodes: [
        { kind: 'task', name: 'first', code: CODE, position: { x: 0, y: 0 } },
        { kind: 'task', name: 'second', code: CODE, position: { x: 300, y: 0 } },
      ],
      edges: [],
    },
  })) as { id: string };
  return created.id;
}

test('typing in a step editor keeps every character, spaces included', async ({
  page,
  openApp,
  apiCall,
}) => {
  // Loads Monaco and the TypeScript checker: slow on a busy 2-core machine.
  test.slow();
  const id = await createTwoSteps(apiCall, 'typing');
  await openApp(`/workflows/${id}`);
  await page.getByTestId('node-first').click();
  const editor = page.locator('.node-code .monaco-editor');
  // Monaco is a large lazy chunk: on a busy machine it takes a while the first time.
  await expect(editor).toBeVisible({ timeout: 60_000 });
  await expect(editor).toContainText('return input');

  // Into the editor with the mouse, to the end of the code, then real key presses.
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('const a = 1 + 2;');
  // Keys the canvas uses must stay the editor's: Backspace deletes a character (not the step),
  // "?" is a character (not the keyboard help), Space is a space (not panning).
  await page.keyboard.type(' x');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('// why? ok');
  await expect(page.getByTestId('node-first')).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);

  // Ctrl/Cmd+S saves from inside the editor.
  await page.keyboard.press('ControlOrMeta+S');
  await expect(page.getByRole('status')).toContainText('Saved version');
  const stored = (await apiCall('GET', `/workflows/${id}`)) as {
    graph: { nodes: { name: string; code: string }[] };
  };
  const code = stored.graph.nodes.find((n) => n.name === 'first')?.code ?? '';
  expect(code).toContain('const a = 1 + 2;');
  expect(code.endsWith('const a = 1 + 2;// why? ok')).toBe(true);

  // The same holds for the plain text fields of the inspector.
  const name = page.getByRole('textbox', { name: 'Name' });
  await name.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('first step');
  await expect(name).toHaveValue('first step');
  await expect(page.getByTestId('node-first')).toBeVisible();
  await apiCall('DELETE', `/workflows/${id}`);
});

test('keyboard help opens with ? and closes with Esc; steps connect without a mouse', async ({
  page,
  openApp,
  apiCall,
}) => {
  // Loads Monaco and the TypeScript checker: slow on a busy 2-core machine.
  test.slow();
  const id = await createTwoSteps(apiCall, 'keyboard');
  await openApp(`/workflows/${id}`);
  await expect(page.locator('.react-flow__node')).toHaveCount(2);

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const listed of [
    'Ctrl/Cmd+Z',
    'Delete / Backspace',
    'Connect the selected step',
    'Ctrl/Cmd+S',
  ])
    await expect(help).toContainText(listed);
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  // Tab to the first step on the canvas, select it with Enter, press C, pick the next step.
  let focusedStep: string | null = null;
  for (let i = 0; i < 60 && focusedStep !== 'first'; i++) {
    await page.keyboard.press('Tab');
    focusedStep = await page.evaluate(
      () =>
        document.activeElement
          ?.querySelector('[data-testid^="node-"]')
          ?.getAttribute('data-testid')
          ?.replace('node-', '') ?? null,
    );
  }
  expect(focusedStep).toBe('first');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue('first');
  await page.keyboard.press('c');
  const connectTo = page.getByRole('combobox', { name: 'Connect to…' });
  await expect(connectTo).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(connectTo).toHaveValue('second');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Connect', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await expect(page.getByRole('list', { name: 'Edges from first' })).toContainText('second');

  await page.keyboard.press('ControlOrMeta+S');
  await expect(page.getByRole('status')).toContainText('Saved version');
  const stored = (await apiCall('GET', `/workflows/${id}`)) as {
    graph: { edges: { source: string; target: string }[] };
  };
  expect(stored.graph.edges).toEqual([
    expect.objectContaining({ source: 'first', target: 'second' }),
  ]);
  await apiCall('DELETE', `/workflows/${id}`);
});
