import { axeViolations, expect, test } from '../fixtures';

/**
 * A cloud that does not answer is named on every page (issue 14). The API's side — health
 * degraded while a killed cloud restarts — is tested in apps/api (cloudSupervision.test.ts);
 * here the API's health answer says one cloud is down, as it does then, and the app must say so,
 * and stop saying so once the answer is healthy again.
 */
test('a cloud that does not answer is named on every page until it is back', async ({
  page,
  openApp,
  apiCall,
}) => {
  const healthy = (await apiCall('GET', '/health')) as {
    cloudHealth: { id: string; ok: boolean }[];
  };
  const down = healthy.cloudHealth[0]?.id ?? 'aws-local';
  let degraded = true;
  await page.route('**/api/v1/health', async (route) => {
    if (!degraded) return route.fallback();
    const answer = await route.fetch();
    const body = (await answer.json()) as { cloudHealth: { id: string; ok: boolean }[] };
    await route.fulfill({
      response: answer,
      json: {
        ...body,
        status: 'degraded',
        degraded: [down],
        cloudHealth: body.cloudHealth.map((c) => (c.id === down ? { ...c, ok: false } : c)),
      },
    });
  });
  await openApp();
  const banner = page.getByTestId('cloud-health');
  await expect(banner).toContainText(`Cloud ${down} is not answering`);
  expect(await axeViolations(page), 'the list with the banner').toEqual([]);
  // Still there in the designer.
  await page.getByRole('link', { name: 'monte-carlo-pi', exact: true }).first().click();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await expect(banner).toBeVisible();
  // The next health answer is healthy: the banner goes (the app asks every 10 s).
  degraded = false;
  await expect(banner).toHaveCount(0, { timeout: 30_000 });
});
