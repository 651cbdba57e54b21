import { expect, screenshot, test } from '../fixtures';
import { selectRunStep } from './runSupport';

/**
 * The run view plots a number a step outputs across a loop's iterations (issue 13): the
 * NebulaFL example opened from the list, deployed with Deploy and run from the designer; its
 * `evaluate` step (once per round of the `rotate` loop) shows one accuracy point per round,
 * growing while the run goes on, and the points are the accuracies the run reports.
 */
test('the nebulafl example runs from the designer and its evaluate step plots accuracy per round', async ({
  page,
  openApp,
}) => {
  // Deploys 22 functions and runs about 60 steps with cold starts: slow on a loaded 2-core box.
  test.setTimeout(400_000);
  await openApp();
  await page.getByRole('link', { name: 'nebulafl', exact: true }).first().click();
  await expect(page.locator('.react-flow__node')).toHaveCount(22);
  const deploy = page.getByRole('button', { name: 'Deploy', exact: true });
  await expect(deploy).toBeEnabled({ timeout: 120_000 });
  await deploy.click();
  const dialog = page.getByRole('dialog', { name: 'Deploy' });
  await expect(dialog.getByTestId('deployment-status')).toHaveText(/ready|failed/, {
    timeout: 120_000,
  });
  await expect(dialog.getByTestId('deployment-status')).toHaveText(/ready/);
  const input = dialog.getByRole('textbox', { name: 'Input' });
  await expect(input).toHaveValue(/"rounds": 3/);
  // Three rounds (three points), one owner of two per data center and round: fewer steps.
  await input.fill('{ "seed": 42, "rounds": 3, "ownersPerCenter": 2, "ownersPerRound": 1 }');
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();

  await expect(page.getByTestId('execution-status')).toBeVisible();
  const step = await selectRunStep(page, 'evaluate');
  // Live: the series grows one round at a time (never shrinks) while the run goes on.
  const seen: number[] = [];
  const status = page.getByTestId('execution-status');
  for (let poll = 0; poll < 2000; poll++) {
    const done = (await status.textContent()) === 'succeeded';
    seen.push(await step.getByTestId('plot-point').count());
    if (done || (await status.textContent()) === 'failed') break;
    await page.waitForTimeout(250);
  }
  await expect(status).toHaveText('succeeded');
  expect(seen, 'the number of points only grows').toEqual([...seen].sort((a, b) => a - b));
  expect(
    seen.some((n) => n > 0 && n < 3),
    'a partial series was shown during the run',
  ).toBe(true);

  await expect(step.getByTestId('plot-field')).toHaveValue('accuracy');
  const points = step.getByTestId('plot-point');
  await expect(points).toHaveCount(3);
  await expect(step.getByTestId('plot-summary')).toHaveText(/^3 points · last 0\.\d+$/);
  const plotted = await points.evaluateAll((circles) =>
    circles.map((c) => Number(c.getAttribute('data-value'))),
  );
  const result = JSON.parse((await page.getByTestId('execution-result').textContent()) ?? '{}') as {
    accuracy: number;
    chance: number;
    history: { accuracy: number }[];
  };
  expect(plotted).toEqual(result.history.map((h) => h.accuracy));
  expect(plotted[2]).toBe(result.accuracy);
  expect(result.accuracy).toBeGreaterThan(2 * result.chance);
  await expect(
    step.getByRole('img', { name: /^accuracy per instance of evaluate: rotate 0 / }),
  ).toBeVisible();
  await screenshot(page, 'run-output-plot');

  // Any top-level number of the output can be plotted, e.g. the round counter: 1, 2, 3.
  await step.getByTestId('plot-field').selectOption('round');
  await expect(points).toHaveCount(3);
  expect(
    await points.evaluateAll((c) => c.map((p) => Number(p.getAttribute('data-value')))),
  ).toEqual([1, 2, 3]);
});
