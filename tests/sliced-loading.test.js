// Loading while playing: a running context gets a new instrument copied in
// slices after each quantum's render, and the note already sounding plays
// on through the load; a context that does not render gets it at once.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launchBrowser, collectErrors } from './helpers/browser.js';
import { startDevServer } from './helpers/server.js';
import { pitchOf } from './helpers/measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const API = `/@fs${ROOT}/web/index.js`;
const TIMEOUT = { timeout: 120_000 };
const SAMPLES = 24;
const SAMPLE_BYTES = 2 * 48000 * 2 * 4; // 2 s of stereo float32 at 48 kHz: 768 KB

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startDevServer()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('loading without stopping the music', () => {
  test('a running context copies a new instrument in slices while a held note sounds on at its pitch', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(server.url);
    const result = await page.evaluate(async ({ api, count, seconds }) => {
      const { createSampler } = await import(api);
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
      const quantaBefore = sampler.stats().quanta;
      // A second instrument of `count` stereo samples (another pitch).
      const entries = Array.from({ length: count }, (_, i) => ({ channels: [sine(660, seconds), sine(660, seconds)], sampleRate: rate, rootKey: 40 + i }));
      const loaded = await sampler.loadSamples(entries);
      const quantaDuring = sampler.stats().quanta - quantaBefore;
      const during = measure();
      // The held note belongs to the old instrument and rings on; a new
      // note plays the new one.
      sampler.noteOff(69);
      await new Promise((r) => setTimeout(r, 600));
      sampler.noteOn(40, 100);
      await new Promise((r) => setTimeout(r, 300));
      const after = measure();
      await ctx.close();
      return { before, during, after, rate, loaded, quantaDuring };
    }, { api: API, count: SAMPLES, seconds: SAMPLE_BYTES / (2 * 48000 * 4) });
    const { loaded, rate } = result;
    console.log(`# ${SAMPLES} samples (${(loaded.bytes / 1048576).toFixed(1)} MiB): ${loaded.copySteps} copy steps, longest ${loaded.longestCopyMs} ms, over ${result.quantaDuring} quanta`);
    // A step copies one of these samples (each is over the worklet's 256 KiB
    // slice): the copy cannot have happened in one go.
    assert.equal(loaded.copySteps, SAMPLES);
    assert.ok(result.quantaDuring >= loaded.copySteps, 'one step per quantum at most');
    const cents = (x, hz) => 1200 * Math.log2(pitchOf(x, rate, 300, 1000) / hz);
    assert.ok(Math.abs(cents(result.before, 440)) < 2, 'the held note before the load');
    assert.ok(Math.abs(cents(result.during, 440)) < 2, 'the held note still sounds, unchanged, once the new instrument is in');
    const level = (x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    assert.ok(Math.abs(level(result.during) / level(result.before) - 1) < 0.05, 'at the same level');
    assert.ok(Math.abs(cents(result.after, 660)) < 2, 'a new note plays the new instrument');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a context that is not rendering gets the instrument at once', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    const loaded = await page.evaluate(async ({ api, count }) => {
      const { createSampler } = await import(api);
      const ctx = new OfflineAudioContext(2, 128, 48000);
      const sampler = await createSampler(ctx);
      const entries = Array.from({ length: count }, (_, i) => ({ channels: [new Float32Array(96000).fill(0.5)], sampleRate: 48000, rootKey: 40 + i }));
      return sampler.loadSamples(entries);
    }, { api: API, count: SAMPLES });
    assert.equal(loaded.copySteps, 1);
    assert.equal(loaded.samples, SAMPLES);
    await page.close();
  });

  test('a suspended context finishes a sliced load when it stops rendering', TIMEOUT, async () => {
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
    assert.ok(loaded.copySteps >= 1);
  });
});
