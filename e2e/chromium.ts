/**
 * How Jointflow launches a browser: Debian's Chromium (Playwright's own browser download is
 * never used), headless, with nothing reaching outside the machine. Shared by the browser tests
 * and the web benchmark.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
