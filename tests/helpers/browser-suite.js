// The setup the browser test files share: headless Chromium and the
// project's own Vite server (real COOP/COEP headers), started before a
// file's tests and closed after them.
import { before, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.js';
import { startDevServer } from './server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
/** The package's entry module as the dev server serves it. */
export const API = `/@fs${ROOT}/web/index.js`;
export const TIMEOUT = { timeout: 90_000 };

/**
 * Registers the before/after hooks; returns an object whose `browser` and
 * `server` (and, with `page: true`, a `page` at the server's root) are set
 * once the hook has run. `setup(suite)` runs after they start.
 */
export function browserSuite({ page = false, setup } = {}) {
  const suite = {};
  before(async () => {
    [suite.browser, suite.server] = await Promise.all([launchBrowser(), startDevServer()]);
    if (page) {
      suite.page = await suite.browser.context.newPage();
      await suite.page.goto(suite.server.url);
    }
    await setup?.(suite);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
