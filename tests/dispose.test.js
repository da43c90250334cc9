// dispose() stops a sampler for good: after many create/dispose cycles on
// one running AudioContext, the disposed samplers no longer render, the
// browser collects their worklet processors and engines, and the renderer
// process holds about what one live sampler needs. Also what a disposed
// sampler's methods do.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launchBrowser, collectErrors } from './helpers/browser.js';
import { startDevServer } from './helpers/server.js';
import { audioRendererRssBytes, installWorkletGc, collectGarbage } from './helpers/process-memory.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const API = `/@fs${ROOT}/web/index.js`;
const TIMEOUT = { timeout: 180_000 };
const CYCLES = 50;
/** Each cycle's sampler gets a 4 MiB instrument (2^20 float32 frames): a leak of all of them is over 200 MiB. */
const SAMPLE_FRAMES = 1 << 20;
const MIB = 1048576;

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser({ args: ['--js-flags=--expose-gc'] }), startDevServer()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('dispose', () => {
  test(`${CYCLES} create/dispose cycles on one running context: nothing disposed renders, and its memory is returned`, TIMEOUT, async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(server.url);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const processors = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'AudioWorkletProcessors').value;

    // One live sampler with the same instrument: the baseline.
    await page.evaluate(async ({ api, frames }) => {
      const { createSampler } = await import(api);
      const ctx = new AudioContext();
      await ctx.resume();
      const tone = () => {
        const data = new Float32Array(frames);
        for (let i = 0; i < frames; i++) data[i] = 0.1 * Math.sin((2 * Math.PI * 220 * i) / ctx.sampleRate);
        return data;
      };
      const live = await createSampler(ctx);
      live.node.connect(ctx.destination);
      await live.loadSamples([{ channels: [tone()], sampleRate: ctx.sampleRate, rootKey: 57 }]);
      window.__dispose = { ctx, live, tone, disposed: [] };
    }, { api: API, frames: SAMPLE_FRAMES });
    await installWorkletGc(page, 'window.__dispose.ctx');
    await collectGarbage(page, 'window.__dispose.ctx');
    const baseline = { rss: audioRendererRssBytes(browser.userDataDir), processors: await processors() };

    await page.evaluate(async ({ api, cycles }) => {
      const { createSampler } = await import(api);
      const { ctx, tone, disposed } = window.__dispose;
      for (let i = 0; i < cycles; i++) {
        const sampler = await createSampler(ctx);
        sampler.node.connect(ctx.destination);
        await sampler.loadSamples([{ channels: [tone()], sampleRate: ctx.sampleRate, rootKey: 57 }]);
        sampler.noteOn(57, 1);
        sampler.dispose();
        disposed.push(sampler);
      }
    }, { api: API, cycles: CYCLES });
    const afterCycles = { rss: audioRendererRssBytes(browser.userDataDir), processors: await processors() };

    // The statistics words of each disposed sampler's ring stay readable in
    // its SharedArrayBuffer: a processor that still renders counts quanta.
    const rendering = await page.evaluate(async () => {
      const { live, disposed, ctx } = window.__dispose;
      const quanta = () => disposed.map((s) => s.stats().quanta);
      const first = quanta();
      const liveFirst = live.stats().quanta;
      const frame = ctx.currentTime;
      while (ctx.currentTime < frame + 0.3) await new Promise((r) => setTimeout(r, 50));
      return { advanced: quanta().filter((q, i) => q !== first[i]).length, live: live.stats().quanta - liveFirst };
    });
    assert.ok(rendering.live > 50, `the live sampler renders (${rendering.live} quanta in 0.3 s)`);
    assert.equal(rendering.advanced, 0, `${rendering.advanced} of ${CYCLES} disposed samplers still render`);

    await collectGarbage(page, 'window.__dispose.ctx');
    const end = { rss: audioRendererRssBytes(browser.userDataDir), processors: await processors() };
    const grew = (end.rss - baseline.rss) / MIB;
    const mib = (bytes) => `${(bytes / MIB).toFixed(1)} MiB`;
    const signed = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} MiB`;
    console.log(`# memory after ${CYCLES} create/dispose cycles (${SAMPLE_FRAMES * 4 / MIB} MiB instrument each): the page's renderer had ${mib(baseline.rss)} RSS with one live sampler; ${mib(afterCycles.rss)} (${signed((afterCycles.rss - baseline.rss) / MIB)}) right after the cycles, ${mib(end.rss)} (${signed(grew)}) after garbage collection. Worklet processors alive: ${baseline.processors}, then ${afterCycles.processors}, then ${end.processors}`);
    // Each disposed sampler held its 4 MiB instrument and a wasm engine of
    // about 1.4 MiB: a leak of all of them is over 250 MiB. The bound leaves
    // room for allocator and heap noise.
    assert.ok(grew < 64, `the renderer grew by ${grew.toFixed(1)} MiB over ${CYCLES} cycles`);
    // The browser let go of the disposed processors (the helper's own
    // garbage-collecting processors may linger too).
    assert.ok(end.processors <= baseline.processors + 4, `${end.processors} worklet processors alive, ${baseline.processors} before the cycles`);
    const live = await page.evaluate(async () => {
      const { live, ctx } = window.__dispose;
      const analyser = new AnalyserNode(ctx, { fftSize: 2048 });
      live.node.connect(analyser);
      live.noteOn(57, 100);
      await new Promise((r) => setTimeout(r, 300));
      const buf = new Float32Array(analyser.fftSize);
      analyser.getFloatTimeDomainData(buf);
      await ctx.close();
      return Math.sqrt(buf.reduce((s, v) => s + v * v, 0) / buf.length);
    });
    assert.ok(live > 1e-3, `the live sampler still plays (rms ${live})`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a disposed sampler refuses work clearly: loads and settings reject, events return false', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(server.url);
    const r = await page.evaluate(async (api) => {
      const { createSampler } = await import(api);
      const ctx = new OfflineAudioContext(1, 4800, 48000);
      const sampler = await createSampler(ctx);
      const pending = sampler.setTranspose(3); // in flight when disposed
      sampler.dispose();
      sampler.dispose(); // twice is harmless
      const code = (p) => p.then(() => 'resolved', (e) => `${e.name} ${e.code}`);
      const thrown = (f) => { try { f(); return 'no throw'; } catch (e) { return `${e.name} ${e.code}`; } };
      return {
        pending: await code(pending),
        load: await code(sampler.loadSamples([{ channels: [new Float32Array(100)], sampleRate: 48000, rootKey: 60 }])),
        instrument: await code(sampler.loadInstrument('/instruments/none.sfz')),
        settings: await code(sampler.setPolyphony(4)),
        restart: await code(sampler.restart()),
        midi: await code(sampler.connectMidiInput('all', { access: { inputs: new Map(), addEventListener() {}, removeEventListener() {} } })),
        gain: thrown(() => sampler.setMasterGain(0.3)),
        noteOn: sampler.noteOn(60, 100),
        sendMidi: sampler.sendMidi([0x90, 60, 100]),
        bend: sampler.setPitchBendRange(12),
        state: sampler.state,
        stats: typeof sampler.stats().quanta,
      };
    }, API);
    assert.deepEqual(r, {
      pending: 'SamplerError disposed',
      load: 'SamplerError disposed',
      instrument: 'SamplerError disposed',
      settings: 'SamplerError disposed',
      restart: 'SamplerError disposed',
      midi: 'SamplerError disposed',
      gain: 'SamplerError disposed',
      noteOn: false,
      sendMidi: false,
      bend: false,
      state: 'disposed',
      stats: 'number',
    });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
