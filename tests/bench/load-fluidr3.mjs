// Load time of FluidR3_GM.sf2 preset 0 through the JS API (URL and File),
// in headless Chromium: `node tests/bench/load-fluidr3.mjs [font]`.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../helpers/browser.js';
import { startDevServer } from '../helpers/server.js';
import { FIXTURES } from '../helpers/fixtures.js';

const FONT = process.argv[2] ?? '/usr/share/sounds/sf2/FluidR3_GM.sf2';
if (!existsSync(FONT)) throw new Error(`${FONT} is not installed (apt-get install fluid-soundfont-gm)`);
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
// Served from the fixtures folder: the dev server only serves the project.
mkdirSync(`${FIXTURES}bench`, { recursive: true });
const copy = `${FIXTURES}bench/${FONT.split('/').pop()}`;
if (!existsSync(copy)) copyFileSync(FONT, copy);

const [browser, server] = await Promise.all([launchBrowser(), startDevServer()]);
try {
  const page = await browser.context.newPage();
  await page.goto(server.url);
  for (const how of ['url', 'file', 'url']) {
    const r = await page.evaluate(
      async ({ api, url, how }) => {
        const { createSampler } = await import(api);
        const ctx = new AudioContext();
        const sampler = await createSampler(ctx);
        let source = url;
        if (how === 'file') source = new File([await (await fetch(url)).blob()], 'FluidR3_GM.sf2');
        const phases = {};
        const t0 = performance.now();
        const result = await sampler.loadInstrument(source, {
          bank: 0,
          program: 0,
          onProgress: (p) => (phases[p.phase] ??= Math.round(performance.now() - t0)),
        });
        const ms = Math.round(performance.now() - t0);
        await ctx.close();
        return { ms, phases, samples: result.samples, regions: result.regions, bytes: result.bytes, presets: result.presets.length };
      },
      { api: `/@fs${ROOT}/web/index.js`, url: `/@fs${copy}`, how },
    );
    console.log(`${how}: ${r.ms} ms (first progress per phase: ${JSON.stringify(r.phases)}), ${r.regions} regions, ${r.samples} samples, ${(r.bytes / 1048576).toFixed(1)} MiB, ${r.presets} presets`);
  }
} finally {
  await browser.close();
  await server.close();
}
