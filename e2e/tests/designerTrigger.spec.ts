import { axeViolations, expect, screenshot, test } from '../fixtures';

const code = (body: string) => `export async function handler(input) {\n  ${body}\n}\n`;

/**
 * Replicas of a classifier in a map, with nothing yet collecting them: the test adds the trigger
 * that takes the first 3 of 4, as a person would, from the palette.
 */
const replicaRace = {
  name: 'trigger-designer',
  nodes: [
    { kind: 'task', name: 'resize', code: code('return [0, 1, 2, 3];') },
    { kind: 'map', name: 'replicas' },
    { kind: 'task', name: 'classify', code: code('return { replica: input, score: input / 10 };') },
    { kind: 'task', name: 'report', code: code('return input;') },
  ],
  edges: [
    { id: 'e1', source: 'resize', target: 'replicas' },
    { id: 'e2', source: 'replicas', target: 'classify' },
  ],
  sampleInput: {},
};

test('a trigger from the palette: every runnable kind configured in the inspector, k > n rejected, the summary on the node', async ({
  page,
  openApp,
  apiCall,
}) => {
  // Loads the designer's TypeScript checker: slow on a busy 2-core machine.
  test.slow();
  const created = (await apiCall('POST', '/workflows', {
    name: replicaRace.name,
    graph: replicaRace,
  })) as { id: string };
  await openApp();
  await page.getByRole('link', { name: replicaRace.name, exact: true }).first().click();
  await expect(page.locator('.react-flow__node')).toHaveCount(4);
  expect(page.url()).toContain(created.id);

  // The palette offers the Trigger step and says what it does.
  const palette = page.getByRole('navigation', { name: 'Palette' });
  const triggerItem = palette.getByRole('button', { name: 'Trigger', exact: true });
  await expect(triggerItem).toBeVisible();
  await expect(triggerItem).toHaveAttribute('title', /by name, batch, set, group, k of n/);
  await expect(triggerItem).not.toHaveAttribute('title', /do not run/);
  await triggerItem.click();

  // A new trigger is a runnable kind, selected, with its summary on the node.
  const node = page.getByTestId('node-trigger');
  await expect(node).toBeVisible();
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('1 of 2');
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const form = inspector.getByRole('region', { name: 'Trigger' });
  const kind = form.getByLabel('Fires');
  await expect(kind).toHaveValue('k-of-n');
  // Exactly the kinds the runtime runs (time windows once the runtime runs them), none marked
  // as not running.
  const options = await kind.locator('option').allTextContents();
  expect(options.slice(0, 6)).toEqual([
    'Each object (immediate)',
    'By name',
    'Batch',
    'Set of keys',
    'Dynamic group',
    'First k of n (redundant)',
  ]);
  const windowsRun = options.includes('Time window');
  expect(options.slice(6)).toEqual(windowsRun ? ['Time window'] : []);
  await expect(triggerItem).toHaveAttribute('title', windowsRun ? /time window/ : /k of n$/);

  // Wire it: classify -> trigger -> report, collecting the map's branches, with the keyboard
  // field the inspector offers ("Connect to…").
  await form.getByLabel('Collects the branches of').selectOption('replicas');
  await inspector.getByLabel('Connect to…').selectOption('report');
  await inspector.getByRole('button', { name: 'Connect', exact: true }).click();
  await page.getByTestId('node-classify').click();
  await inspector.getByLabel('Connect to…').selectOption('trigger');
  await inspector.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.locator('.react-flow__edge')).toHaveCount(4);
  await page.getByRole('button', { name: 'Auto layout' }).click();
  await node.click();

  // First 3 of 4: valid, the graph compiles, Deploy is on.
  await form.getByLabel('k (winners)').fill('3');
  await form.getByLabel('n (arrivals)').fill('4');
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('3 of 4');
  await expect(form).toContainText('Runs once with the first k of n arrivals');
  const problems = page.getByRole('region', { name: 'Problems' });
  const deploy = page.getByRole('button', { name: 'Deploy', exact: true });
  await expect(problems).toContainText(/none|0 errors/);
  await expect(deploy).toBeEnabled({ timeout: 60_000 });

  // k > n is refused with a clear message under the field and in the Problems panel; the step
  // is marked and Deploy is off until it is fixed.
  const k = form.getByLabel('k (winners)');
  await k.fill('5');
  await expect(k).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByText('k (5) is more than n (4)')).toBeVisible();
  await expect(form).toContainText('Use 1 ≤ k ≤ n.');
  await expect(problems).toContainText('IR_TRIGGER_PARAMS');
  await expect(problems).toContainText('k-of-n is 5-of-4; use 1 <= k <= n');
  await expect(node).toHaveClass(/has-error/);
  await expect(deploy).toBeDisabled();
  await screenshot(page, 'trigger-invalid');
  expect(await axeViolations(page), 'designer with a trigger error shown').toEqual([]);
  // The app follows the system's colour scheme: the same in dark mode.
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await axeViolations(page), 'the same in dark mode').toEqual([]);
  await screenshot(page, 'trigger-invalid-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await k.fill('3');
  await expect(k).toHaveAttribute('aria-invalid', 'false');
  await expect(problems).toContainText(/none|0 errors/);

  // Batch: a size from 1 to 10000.
  await kind.selectOption('batch');
  const size = form.getByLabel('Batch size (objects per run)');
  await expect(size).toHaveValue('4');
  await size.fill('100');
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('batch of 100');
  await size.fill('0');
  await expect(form).toContainText('The batch size is 0; use a whole number from 1 to 10000.');
  await size.fill('100');
  await expect(form.locator('.trigger-problem')).toHaveCount(0);

  // Set: keys as chips; a key listed twice is refused, an empty set is flagged.
  await kind.selectOption('set');
  const chips = form.getByRole('list', { name: 'Keys in the set' });
  await expect(chips.getByRole('listitem')).toHaveText(['a×', 'b×']);
  const newKey = form.getByLabel('New key');
  await newKey.fill('c');
  await newKey.press('Enter');
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('set of 3 keys');
  await newKey.fill('a');
  await expect(form).toContainText('"a" is already in the set; list each key once.');
  await expect(form.getByRole('button', { name: 'Add key' })).toBeDisabled();
  await newKey.fill('');
  for (const key of ['a', 'b', 'c'])
    await form.getByRole('button', { name: `Remove key ${key}` }).click();
  await expect(form).toContainText('The set has no keys; add the keys to wait for.');
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('set of 0 keys');
  await expect(deploy).toBeDisabled();
  for (const key of ['left', 'right']) {
    await newKey.fill(key);
    await form.getByRole('button', { name: 'Add key' }).click();
  }
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('set of 2 keys');

  // By name: a key is needed.
  await kind.selectOption('by-name');
  const key = form.getByLabel('Key', { exact: true });
  await key.fill('');
  await expect(form).toContainText('The key is empty; type the key the producers emit.');
  await expect(deploy).toBeDisabled();
  await key.fill('error');
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('by name: error');

  // Each object, and dynamic groups with their key prefix.
  await kind.selectOption('immediate');
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('each object');
  await expect(form).toContainText('Runs once for every object that arrives');
  await kind.selectOption('group');
  await expect(form.getByLabel('Group key prefix')).toHaveValue('group:');
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('groups by group:');
  await form.getByLabel('Group key prefix').fill('');
  await expect(form).toContainText('The group prefix is empty');
  await form.getByLabel('Group key prefix').fill('range:');
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('groups by range:');

  // Time windows, when the runtime runs them: 1 ms to an hour.
  if (windowsRun) {
    await kind.selectOption('window');
    const windowMs = form.getByLabel('Window (ms)');
    await windowMs.fill('0');
    await expect(form).toContainText('The window is 0 ms; use a whole number from 1 to 3600000');
    await windowMs.fill('1000');
    await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('every 1 s');
    await expect(form).toContainText('Spans executions');
    await expect(form).not.toContainText('Does not run yet');
  }

  // A trigger's code is optional, like a join's: the inspector offers the editor.
  await expect(inspector.getByText('Code (TypeScript)')).toBeVisible();

  // Back to the first 3 of 4: the edits are in the saved graph.
  await kind.selectOption('k-of-n');
  await form.getByLabel('k (winners)').fill('3');
  await form.getByLabel('n (arrivals)').fill('4');
  await expect(page.getByTestId('trigger-summary-trigger')).toHaveText('3 of 4');
  await expect(deploy).toBeEnabled({ timeout: 60_000 });
  await screenshot(page, 'trigger-designer');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect
    .poll(async () => {
      const saved = (await apiCall('GET', `/workflows/${created.id}`)) as {
        graph: { nodes: { name: string; trigger?: unknown; fanOut?: string }[] };
      };
      return saved.graph.nodes.find((n) => n.name === 'trigger');
    })
    .toMatchObject({ trigger: { type: 'k-of-n', k: 3, n: 4 }, fanOut: 'replicas' });
});
