// The default piano loaded by the demo page, as a person would: open the
// page, press Start, then both steps (one velocity layer cut to its first
// seconds, then all layers and release samples).
// Prints, for each step, what the worklet reported about copying the
// instrument in (`instrument-loaded`: steps, the longest step in ms on the
// worklet's clock) and the page's load times. `node tests/bench/piano-load.mjs [runs]`.
import { launchBrowser } from '../helpers/browser.js';
import { startDevServer } from '../helpers/server.js';

const runs = Number(process.argv[2] ?? 1);
const server = await startDevServer();
const browser = await launchBrowser();
try {
  for (let run = 0; run < runs; run++) {
    const page = await browser.context.newPage();
    // Records every 'instrument-loaded' reply the page's sampler receives.
    await page.addInitScript(() => {
      window.__loadReplies = [];
      const slot = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage');
      Object.defineProperty(MessagePort.prototype, 'onmessage', {
        ...slot,
        set(handler) {
          slot.set.call(this, handler && ((e) => {
            if (e.data?.type === 'instrument-loaded') window.__loadReplies.push({ ...e.data, at: performance.now() });
            return handler(e);
          }));
        },
      });
    });
    // As a person would: the page has opened (and fetched the piano's
    // first step) before Start is pressed.
    await page.goto(server.url, { waitUntil: 'networkidle' });
    await page.click('#start');
    await page.evaluate(() => window.__samplerPage.ready);
    await page.waitForFunction(() => window.__samplerPage.fullyLoaded, null, { timeout: 120_000 });
    const r = await page.evaluate(() => {
      const { playableMs, playableAfterPressMs, fullMs } = window.__samplerPage;
      return { replies: window.__loadReplies, playableMs, playableAfterPressMs, fullMs };
    });
    for (const [i, m] of r.replies.entries()) {
      const bytes = m.bytes;
      const inWorklet = m.elapsedMs === undefined ? '' : `, ${m.elapsedMs.toFixed(0)} ms from the first step to the swap`;
      console.log(`step ${i + 1}: ${(bytes / 1048576).toFixed(1)} MiB in ${m.steps} worklet steps, longest ${m.longestStepMs?.toFixed?.(3) ?? m.longestStepMs} ms${m.longestStepKind ? ` (${m.longestStepKind})` : ''}, ${(bytes / m.steps / 1024).toFixed(0)} KiB per step on average${inWorklet}`);
    }
    console.log(`playable ${r.playableAfterPressMs} ms after the press of Start (${r.playableMs} ms of it loading the first step), complete after ${r.fullMs} ms`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
