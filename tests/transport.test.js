// The postMessage fallback for pages without cross-origin isolation: the
// sampler still starts, events still carry their frames (exact when they
// arrive in time), and the counters reach the main thread.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launchBrowser, collectErrors } from './helpers/browser.js';
import { startDevServer, startServerWithoutIsolation } from './helpers/server.js';
import { pitchOf, onset } from './helpers/measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const API = `/@fs${ROOT}/web/index.js`;
const TIMEOUT = { timeout: 90_000 };

let browser;
let isolated;
let plain;

before(async () => {
  [browser, isolated, plain] = await Promise.all([launchBrowser(), startDevServer(), startServerWithoutIsolation()]);
});

after(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

describe('message transport', () => {
  test('forced on an isolated page, events written before rendering start at their exact frames', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(isolated.url);
    const { out, stats, transport } = await page.evaluate(async (api) => {
      const { createSampler } = await import(api);
      const rate = 48000;
      const ctx = new OfflineAudioContext(1, 8192, rate);
      const sampler = await createSampler(ctx, { transport: 'message' });
      sampler.node.connect(ctx.destination);
      await sampler.loadSamples([{ channels: [new Float32Array(rate).fill(1)], sampleRate: rate, rootKey: 60 }]);
      sampler.noteOn(60, 100, { time: 1000 / rate });
      sampler.noteOn(62, 100, { time: 5000 / rate });
      sampler.sendMidi([0xf8]); // a system message: skipped before the ring
      sampler.ring.trySend(0, 0xf0, 0, 0, 1); // garbage that reaches the engine: counted
      await sampler.sync();
      const before = sampler.stats();
      const rendered = await ctx.startRendering();
      await sampler.sync();
      return { out: Array.from(rendered.getChannelData(0)), stats: { before, after: sampler.stats() }, transport: sampler.transport };
    }, API);
    assert.equal(transport, 'message');
    assert.equal(onset(out), 1000);
    // The second note starts exactly at 5000 (its gain ramps in over a few
    // frames, so look at the first frame and at the level after the ramp).
    assert.ok(Math.abs(out[4999] - out[4000]) < 1e-6, 'steady before frame 5000');
    assert.ok(out[5000] > out[4999] + 1e-6, `second note starts at frame 5000 (${out[4999]} -> ${out[5000]})`);
    assert.ok(out[5200] > 1.9 * out[4999], `two notes sound twice as loud (${out[4999]} -> ${out[5200]})`);
    assert.equal(stats.before.fill, 3, 'three events wait in the worklet ring before rendering');
    assert.equal(stats.after.received, 3);
    assert.equal(stats.after.invalid, 1);
    assert.equal(stats.after.late, 0);
    assert.equal(stats.after.fill, 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a page without cross-origin isolation still plays, at the right pitch, and reports its counters', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(plain.url);
    const result = await page.evaluate(async (api) => {
      const { createSampler, isolationProblem } = await import(api);
      const ctx = new AudioContext();
      await ctx.resume();
      const sampler = await createSampler(ctx);
      const analyser = new AnalyserNode(ctx, { fftSize: 8192 });
      sampler.node.connect(analyser);
      const rate = ctx.sampleRate;
      const data = new Float32Array(rate * 4);
      for (let i = 0; i < data.length; i++) data[i] = Math.sin((2 * Math.PI * 440 * i) / rate);
      await sampler.loadSamples([{ channels: [data], sampleRate: rate, rootKey: 69 }]);
      sampler.noteOn(70, 100);
      await new Promise((r) => setTimeout(r, 500));
      const buf = new Float32Array(analyser.fftSize);
      analyser.getFloatTimeDomainData(buf);
      const stats = sampler.stats();
      await ctx.close();
      return {
        isolated: globalThis.crossOriginIsolated,
        problem: isolationProblem(),
        transport: sampler.transport,
        samples: Array.from(buf),
        rate,
        stats,
      };
    }, API);
    assert.equal(result.isolated, false);
    assert.ok(result.problem);
    assert.equal(result.transport, 'message');
    const expected = 440 * 2 ** (1 / 12);
    const cents = 1200 * Math.log2(pitchOf(result.samples, result.rate) / expected);
    assert.ok(Math.abs(cents) < 2, `A#4 ${cents.toFixed(2)} cents off`);
    assert.equal(result.stats.received, 1, 'the worklet posted its counters');
    assert.ok(result.stats.quanta > 10);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("transport 'shared' without isolation is a clear not-isolated error", TIMEOUT, async () => {
    const page = await browser.context.newPage();
    await page.goto(plain.url);
    const error = await page.evaluate(async (api) => {
      const { createSampler } = await import(api);
      try {
        await createSampler(new OfflineAudioContext(1, 128, 48000), { transport: 'shared' });
        return null;
      } catch (err) {
        return { name: err.name, code: err.code, message: err.message };
      }
    }, API);
    assert.equal(error?.code, 'not-isolated');
    assert.match(error.message, /Cross-Origin-Embedder-Policy/);
    await page.close();
  });
});
