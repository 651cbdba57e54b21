import { createRequire } from 'node:module';
import { test as base, expect, type Page } from '@playwright/test';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface StackFixtures {
  /** The API token of the stack under test. */
  token: string;
  /** Opens the app with the token hand-off URL that `jointflow up` prints. */
  openApp(path?: string): Promise<void>;
  /** Calls the API directly (to prepare data); throws on a non-2xx answer. */
  apiCall(method: string, path: string, body?: unknown): Promise<unknown>;
}

/**
 * Every test fails on a console error, an uncaught page error, or any request to a host other
 * than loopback: the app must work offline and must never reach a CDN.
 */
export const test = base.extend<StackFixtures & { guard: undefined }>({
  guard: [
    async ({ page, context }, use) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      await page.route('**', async (route) => {
        const url = new URL(route.request().url());
        if (url.protocol === 'data:' || url.protocol === 'blob:' || LOOPBACK.has(url.hostname)) {
          await route.fallback();
          return;
        }
        problems.push(`request to a non-loopback host: ${url.href}`);
        await route.abort('blockedbyclient');
      });
      await use(undefined);
      expect(problems, 'console errors and outside requests').toEqual([]);
    },
    { auto: true },
  ],
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a function needs from its first parameter's pattern
  token: async ({}, use) => {
    const token = process.env.JOINTFLOW_E2E_TOKEN;
    if (!token)
      throw new Error(
        'E2E_NO_TOKEN: run the browser tests through `npm run test:e2e` (e2e/run.mjs)',
      );
    await use(token);
  },
  openApp: async ({ page, token }, use) => {
    await use(async (path = '/') => {
      await page.goto(`/#token=${encodeURIComponent(token)}`);
      await expect(page).not.toHaveURL(/token=/);
      if (path !== '/') await page.goto(`/#${path}`);
    });
  },
  apiCall: async ({ request, token }, use) => {
    await use(async (method, path, body) => {
      const response = await request.fetch(`/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        data: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok())
        throw new Error(`${method} ${path} answered ${response.status()}: ${text}`);
      return text ? JSON.parse(text) : null;
    });
  },
});

export { expect };

/** Saves a screenshot the READMEs show (committed under e2e/screenshots/). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: new URL(`./screenshots/${name}.png`, import.meta.url).pathname });
}

/**
 * Replaces the text of the focused Monaco editor the way a user pastes it (typing would let
 * Monaco auto-close brackets). Needs the clipboard permissions `test` grants.
 */
export async function pasteIntoEditor(page: Page, text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Runs axe-core (from npm, injected into the page) on what the page shows now and returns the
 * violations as readable lines (`rule: target — message`); an empty list means none.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + n.failureSummary.replace(/\\s+/g, ' ')),
    }));
  })()`)) as { id: string; help: string; nodes: string[] }[];
  return violations.flatMap((v) => v.nodes.map((node) => `${v.id} (${v.help}): ${node}`));
}
