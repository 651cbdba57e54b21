import { expect, screenshot, test } from '../fixtures';

const CODE = 'export async function handler(input: unknown) {\n  return input;\n}\n';

test('a syntax error in step code blocks Deploy and the Problems panel names the step and line', async ({
  page,
  openApp,
  apiCall,
}) => {
  // Loads Monaco and the TypeScript checker: slow on a busy 2-core machine.
  test.slow();
  const created = (await apiCall('POST', '/workflows', {
    name: 'code-errors',
    graph: {
      name: 'code-errors',
      nodes: [
        { kind: 'task', name: 'fetch', code: CODE, position: { x: 0, y: 0 } },
        { kind: 'task', name: 'score', code: CODE, position: { x: 300, y: 0 } },
      ],
      edges: [{ id: 'e1', source: 'fetch', target: 'score' }],
    },
  })) as { id: string };
  await openApp(`/workflows/${created.id}`);
  const deploy = page.getByRole('button', { name: 'Deploy', exact: true });
  const problems = page.getByRole('region', { name: 'Problems' });
  await expect(deploy).toBeEnabled({ timeout: 60_000 });
  await expect(problems).toContainText(/none|0 errors/);

  // A fourth line, `const b = ;`, typed at the end of score's code.
  await page.getByTestId('node-score').click();
  const editor = page.locator('.node-code .monaco-editor');
  // Monaco is a large lazy chunk: on a busy machine it takes a while the first time.
  await expect(editor).toBeVisible({ timeout: 60_000 });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  const typed = 'const b = ;';
  await page.keyboard.type(typed);

  const problem = problems.locator('.problem.error').filter({ hasText: 'WEB_STEP_SYNTAX_ERROR' });
  // The check runs in a worker that loads TypeScript first: slow on a busy machine.
  await expect(problem).toHaveCount(1, { timeout: 60_000 });
  await expect(problem).toContainText('score');
  await expect(problem).toContainText('line 4');
  await expect(deploy).toBeDisabled();
  await expect(page.getByTestId('node-score')).toHaveClass(/has-error/);
  await expect(page.getByTestId('node-fetch')).not.toHaveClass(/has-error/);

  // A broken draft can still be saved; it cannot be deployed.
  await page.keyboard.press('ControlOrMeta+S');
  await expect(page.getByRole('status')).toContainText('Saved version');
  await screenshot(page, 'code-problems');

  // Fixing the code unblocks Deploy.
  for (let i = 0; i < typed.length; i++) await page.keyboard.press('Backspace');
  await expect(problem).toHaveCount(0);
  await expect(deploy).toBeEnabled();
  await apiCall('DELETE', `/workflows/${created.id}`);
});

test('type errors of a step whose editor was never opened block Deploy', async ({
  page,
  openApp,
  apiCall,
}) => {
  // Loads Monaco and the TypeScript checker: slow on a busy 2-core machine.
  test.slow();
  const created = (await apiCall('POST', '/workflows', {
    name: 'type-errors',
    graph: {
      name: 'type-errors',
      nodes: [
        { kind: 'task', name: 'fine', code: CODE, position: { x: 0, y: 0 } },
        {
          kind: 'task',
          name: 'typed',
          code: 'export async function handler() {\n  const n: number = "seven";\n  return n;\n}\n',
          position: { x: 300, y: 0 },
        },
      ],
      edges: [{ id: 'e1', source: 'fine', target: 'typed' }],
    },
  })) as { id: string };
  await openApp(`/workflows/${created.id}`);
  const problem = page
    .getByRole('region', { name: 'Problems' })
    .locator('.problem.error')
    .filter({ hasText: 'WEB_STEP_TYPE_ERROR' });
  await expect(problem).toContainText('typed', { timeout: 60_000 });
  await expect(problem).toContainText('line 2');
  await expect(page.getByRole('button', { name: 'Deploy', exact: true })).toBeDisabled();
  await expect(page.getByTestId('node-typed')).toHaveClass(/has-error/);
  await apiCall('DELETE', `/workflows/${created.id}`);
});
