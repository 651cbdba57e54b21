import { axeViolations, expect, test } from '../fixtures';

for (const scheme of ['light', 'dark'] as const) {
  test(`axe-core finds no violations on the workflow list and the designer (${scheme})`, async ({
    page,
    openApp,
  }) => {
    // Loads Monaco and the TypeScript checker: slow on a busy 2-core machine.
    test.slow();
    // The app follows the system's colour scheme until the user picks one.
    await page.emulateMedia({ colorScheme: scheme });
    await openApp();
    await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
    await expect(
      page.getByRole('list', { name: 'Workflows' }).getByRole('link').first(),
    ).toBeVisible();
    expect(await axeViolations(page), 'workflow list').toEqual([]);

    await page.getByRole('link', { name: 'video-analytics', exact: true }).first().click();
    await expect(page.locator('.react-flow__node')).toHaveCount(5);
    await expect(page.getByRole('button', { name: 'Deploy', exact: true })).toBeEnabled({
      timeout: 60_000,
    });
    expect(await axeViolations(page), 'designer').toEqual([]);

    // With a step selected: the inspector, its fields and the code editor.
    await page.getByTestId('node-split').click();
    await expect(page.locator('.node-code .monaco-editor')).toBeVisible({ timeout: 60_000 });
    expect(await axeViolations(page), 'designer with the inspector open').toEqual([]);

    // The keyboard help.
    await page.getByRole('button', { name: 'Shortcuts' }).click();
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    expect(await axeViolations(page), 'keyboard help').toEqual([]);
  });
}
