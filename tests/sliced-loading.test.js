// Loading while playing: the worklet copies a new instrument in by tasks of
// its own between render quanta, each bounded in bytes, and the note already
// sounding plays on through the load at its pitch and level. The same tasks
// run whether or not the context renders: a suspended context, an
// OfflineAudioContext before startRendering or while suspended in it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launchBrowser, collectErrors } from './helpers/browser.js';
import { startDevServer } from './helpers/server.js';
import { pitchOf } from './helpers/measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const API = `/@fs${ROOT}/web/index.js`;
const GLUE = `/@fs${ROOT}/web/generated/sampler_wasm.js`;
const TIMEOUT = { timeout: 120_000 };
const SAMPLES = 24;
const SAMPLE_SECONDS = 8; // stereo float32: 3 MB at 48 kHz, 74 MB in all: the load lasts a few hundred steps

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startDevServer()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const level = (x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('loading without stopping the music', () => {
  test('a running context: a held note plays on at its pitch and level while a large instrument loads in bounded steps', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(server.url);
    const result = await page.evaluate(async ({ api, glue, count, seconds }) => {
      const { createSampler } = await import(api);
      const { WasmSampler } = await import(glue);
      const ctx = new AudioContext();
      await ctx.resume();
      const sampler = await createSampler(ctx);
      const analyser = new AnalyserNode(ctx, { fftSize: 4096 });
      sampler.node.connect(analyser);
      const rate = ctx.sampleRate;
      const sine = (hz, secs) => {
        const d = new Float32Array(Math.round(rate * secs));
        for (let i = 0; i < d.length; i++) d[i] = Math.sin((2 * Math.PI * hz * i) / rate);
        return d;
      };
      const measure = () => {
        const buf = new Float32Array(analyser.fftSize);
        analyser.getFloatTimeDomainData(buf);
        return Array.from(buf);
      };
      await sampler.loadSamples([{ channels: [sine(440, 30)], sampleRate: rate, rootKey: 69 }]);
      sampler.noteOn(69, 100);
      await new Promise((r) => setTimeout(r, 300));
      const before = measure();
      // A second instrument of `count` stereo samples (another pitch),
      // measured while it loads.
      const entries = Array.from({ length: count }, (_, i) => ({ channels: [sine(660, seconds), sine(660, seconds)], sampleRate: rate, rootKey: 40 + i }));
      let done = false;
      const loading = sampler.loadSamples(entries).finally(() => { done = true; });
      const during = [];
      while (!done) {
        await new Promise((r) => setTimeout(r, 0));
        if (!done) during.push(measure());
      }
      const loaded = await loading;
      const afterLoad = measure();
      // The held note belongs to the old instrument and rings on; a new
      // note plays the new one.
      sampler.noteOff(69);
      await new Promise((r) => setTimeout(r, 600));
      sampler.noteOn(40, 100);
      await new Promise((r) => setTimeout(r, 300));
      const after = measure();
      await ctx.close();
      return { before, during, afterLoad, after, rate, loaded, stepBytes: WasmSampler.stagingBytes() };
    }, { api: API, glue: GLUE, count: SAMPLES, seconds: SAMPLE_SECONDS });
    const { loaded, rate } = result;
    console.log(`# ${SAMPLES} samples (${(loaded.bytes / 1048576).toFixed(1)} MiB): ${loaded.copySteps} steps, longest ${loaded.longestCopyMs?.toFixed(3)} ms; ${result.during.length} snapshots of the held note while loading`);
    // No step copies more than the staging buffer holds.
    assert.ok(loaded.copySteps >= Math.ceil(loaded.bytes / result.stepBytes), `${loaded.copySteps} steps`);
    assert.ok(result.during.length > 0, 'the held note was measured while loading');
    const cents = (x, hz) => 1200 * Math.log2(pitchOf(x, rate, 300, 1000) / hz);
    assert.ok(Math.abs(cents(result.before, 440)) < 2, 'the held note before the load');
    for (const snapshot of [...result.during, result.afterLoad]) {
      assert.ok(Math.abs(cents(snapshot, 440)) < 2, 'the held note sounds, unchanged, during the load and once the new instrument is in');
      assert.ok(Math.abs(level(snapshot) / level(result.before) - 1) < 0.05, `at the same level: ${level(snapshot)} vs ${level(result.before)}`);
    }
    assert.ok(Math.abs(cents(result.after, 660)) < 2, 'a new note plays the new instrument');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('an OfflineAudioContext before startRendering gets the instrument, and renders it', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    const r = await page.evaluate(async ({ api, count }) => {
      const { createSampler } = await import(api);
      const ctx = new OfflineAudioContext(1, 48000, 48000);
      const sampler = await createSampler(ctx);
      sampler.node.connect(ctx.destination);
      const tone = (hz, frames) => Float32Array.from({ length: frames }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / 48000));
      const entries = Array.from({ length: count }, (_, i) => ({ channels: [tone(441, 96000)], sampleRate: 48000, rootKey: 40 + i }));
      const loaded = await sampler.loadSamples(entries);
      sampler.noteOn(40, 127, { time: 0 });
      const out = (await ctx.startRendering()).getChannelData(0);
      return { loaded, out: Array.from(out.subarray(4800, 4800 + 8192)) };
    }, { api: API, count: SAMPLES });
    assert.equal(r.loaded.samples, SAMPLES);
    assert.ok(r.loaded.copySteps > 1);
    assert.ok(Math.abs(1200 * Math.log2(pitchOf(r.out, 48000, 300, 1000) / 441)) < 2, 'the loaded instrument plays');
    await page.close();
  });

  test('a suspended AudioContext gets the instrument', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    const loaded = await page.evaluate(async ({ api, count }) => {
      const { createSampler } = await import(api);
      const ctx = new AudioContext();
      await ctx.resume();
      const sampler = await createSampler(ctx);
      sampler.node.connect(ctx.destination);
      const entries = Array.from({ length: count }, (_, i) => ({ channels: [new Float32Array(480000).fill(0.5)], sampleRate: 48000, rootKey: 40 + i }));
      const loading = sampler.loadSamples(entries);
      await ctx.suspend();
      const result = await loading;
      await ctx.close();
      return result;
    }, { api: API, count: SAMPLES });
    assert.equal(loaded.samples, SAMPLES);
    assert.ok(loaded.copySteps > SAMPLES);
  });

  test('an OfflineAudioContext suspended mid-render: the load completes there, and the rest renders with it', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    const r = await page.evaluate(async ({ api }) => {
      const { createSampler } = await import(api);
      const rate = 48000;
      const ctx = new OfflineAudioContext(1, rate, rate);
      const sampler = await createSampler(ctx);
      sampler.node.connect(ctx.destination);
      const tone = (hz) => Float32Array.from({ length: rate }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate));
      await sampler.loadSamples([{ channels: [tone(330)], sampleRate: rate, rootKey: 69 }]);
      sampler.noteOn(69, 127, { time: 0 });
      sampler.noteOff(69, { time: 0.2 });
      sampler.noteOn(69, 127, { time: 0.6 });
      let loaded = null;
      ctx.suspend(0.4).then(async () => {
        loaded = await sampler.loadSamples([{ channels: [tone(441)], sampleRate: rate, rootKey: 69 }]);
        ctx.resume();
      });
      const out = (await ctx.startRendering()).getChannelData(0);
      return { loaded, first: Array.from(out.subarray(2400, 2400 + 4096)), second: Array.from(out.subarray(0.6 * rate + 2400, 0.6 * rate + 2400 + 4096)) };
    }, { api: API });
    assert.ok(r.loaded, 'the load completed while the context was suspended');
    const cents = (x, hz) => 1200 * Math.log2(pitchOf(x, 48000, 200, 1000) / hz);
    assert.ok(Math.abs(cents(r.first, 330)) < 2, 'before: the first instrument');
    assert.ok(Math.abs(cents(r.second, 441)) < 2, 'after the suspension: the new one');
    await page.close();
  });
});
