// An instrument that does not fit the audio engine's memory: a clear
// SamplerError ('instrument-too-large', naming the size), no crash, and the
// previous instrument plays on. The browser is started with wasm memories
// capped at 256 MiB (a V8 flag), so the worklet's memory really refuses to
// grow, as a browser short of memory would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumPath, collectErrors } from './helpers/browser.js';
import { startDevServer } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const API = `/@fs${ROOT}/web/index.js`;
const CAP_PAGES = 4096; // 64 KiB pages: 256 MiB

let context;
let server;
let userDataDir;

before(async () => {
  userDataDir = mkdtempSync(join(tmpdir(), 'sampler-chromium-'));
  [context, server] = await Promise.all([
    chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      headless: true,
      args: [
        '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        `--js-flags=--wasm-max-mem-pages=${CAP_PAGES}`,
      ],
    }),
    startDevServer(),
  ]);
});

after(async () => {
  await context?.close();
  await server?.close();
  rmSync(userDataDir, { recursive: true, force: true });
});

test('a too-large instrument fails with instrument-too-large and the old one keeps playing', { timeout: 120_000 }, async () => {
  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto(server.url);
  const r = await page.evaluate(async (api) => {
    const { createSampler } = await import(api);
    const ctx = new OfflineAudioContext(1, 48000, 48000);
    const sampler = await createSampler(ctx);
    sampler.node.connect(ctx.destination);
    // The instrument that must survive: 1 s of 441 Hz.
    const tone = new Float32Array(48000).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 441 * i) / 48000));
    await sampler.loadSamples([{ channels: [tone], sampleRate: 48000, rootKey: 69 }]);
    // 300 MB of 16-bit samples (three of 100 MB): past the 256 MiB cap.
    const big = [0, 1, 2].map(() => ({ channels: [new Int16Array(50_000_000)], sampleRate: 48000 }));
    let error = null;
    try {
      await sampler._sendInstrument(big, [{ sample: 0, root_key: 60 }], {}, 'huge.sfz');
    } catch (err) {
      error = { code: err.code, name: err.name, message: err.message };
    }
    sampler.noteOn(69, 127, { time: 0 });
    const out = (await ctx.startRendering()).getChannelData(0);
    let crossings = [];
    for (let i = 4800; i < 48000; i++) if (out[i - 1] < 0 && out[i] >= 0) crossings.push(i - 1 + out[i - 1] / (out[i - 1] - out[i]));
    const pitch = ((crossings.length - 1) * 48000) / (crossings.at(-1) - crossings[0]);
    const peak = out.slice(4800, 9600).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    // What the failed load took is freed: 150 MB fits again (with the
    // 200 MB it had reserved still held, it would not).
    let after;
    try {
      const loaded = await sampler._sendInstrument([{ channels: [new Int16Array(75_000_000)], sampleRate: 48000 }], [{ sample: 0, root_key: 60 }], {}, 'fits.sfz');
      after = { bytes: loaded.bytes };
    } catch (err) {
      after = { error: err.message };
    }
    return { error, pitch, peak, after, workletErrors: sampler.errors.map((e) => e.code) };
  }, API);
  assert.deepEqual(r.error?.code, 'instrument-too-large', JSON.stringify(r.error));
  assert.equal(r.error.name, 'SamplerError');
  assert.match(r.error.message, /^huge\.sfz: the instrument needs 286\.1 MiB of sample memory \(\d+\.\d MiB while loading\), more than the browser lets the audio engine have/);
  // The old instrument: 441 Hz at 0.5 × master 0.5 × volume 100 (squared).
  assert.ok(Math.abs(1200 * Math.log2(r.pitch / 441)) < 1, `pitch ${r.pitch}`);
  assert.ok(Math.abs(r.peak - 0.25 * (100 / 127) ** 2) < 0.01, `level ${r.peak}`);
  assert.ok(r.after.bytes >= 150_000_000, `a 150 MB instrument after the failed one: ${JSON.stringify(r.after)}`);
  assert.deepEqual(errors, []);
  await page.close();
});
