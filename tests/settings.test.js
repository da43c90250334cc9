// The player's settings through the JS API, measured in audio rendered by
// the wasm engine in headless Chromium: transpose, velocity curve,
// pitch-bend range and polyphony; and the worklet's DSP-load measurement in
// a running AudioContext.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { collectErrors } from './helpers/browser.js';
import { browserSuite, API, TIMEOUT } from './helpers/browser-suite.js';
import { pitchOf, rms } from './helpers/measure.js';

const RATE = 48000;

const suite = browserSuite({ page: true });

/**
 * Renders one second offline: a 440 Hz sine with root A4, `setup(sampler)`
 * applied first (it may return a Promise), then `play(sampler)`. Returns
 * the samples and the sampler's stats after rendering.
 */
async function render(setup, play) {
  return suite.page.evaluate(
    async ({ api, rate, setup, play }) => {
      const { createSampler } = await import(api);
      const ctx = new OfflineAudioContext(1, rate, rate);
      const sampler = await createSampler(ctx);
      sampler.node.connect(ctx.destination);
      const data = new Float32Array(rate * 2);
      for (let i = 0; i < data.length; i++) data[i] = Math.sin((2 * Math.PI * 440 * i) / rate);
      await sampler.loadSamples([{ channels: [data], sampleRate: rate, rootKey: 69 }]);
      await eval(setup)(sampler);
      eval(play)(sampler);
      const out = await ctx.startRendering();
      return { out: Array.from(out.getChannelData(0)), stats: sampler.stats() };
    },
    { api: API, rate: RATE, setup: String(setup), play: String(play) },
  );
}

const cents = (hz, expected) => 1200 * Math.log2(hz / expected);
const steady = (out) => out.slice(RATE / 4, RATE / 4 + 8192);

describe('settings', () => {
  test('setTranspose moves the pitch of later notes', TIMEOUT, async () => {
    const errors = collectErrors(suite.page);
    const { out } = await render((s) => s.setTranspose(-7), (s) => s.noteOn(69, 100, { time: 0 }));
    const error = cents(pitchOf(steady(out), RATE, 200, 600), 440 * 2 ** (-7 / 12));
    assert.ok(Math.abs(error) < 1, `A4 down a fifth: ${error.toFixed(3)} cents off`);
    await assert.rejects(suite.page.evaluate(async (api) => {
      const { createSampler } = await import(api);
      const s = await createSampler(new OfflineAudioContext(1, 128, 48000));
      await s.setTranspose(60);
    }, API), /transpose must be an integer in -48\.\.48/);
    assert.deepEqual(errors, []);
  });

  test('interpolation is linear until setInterpolation says otherwise', TIMEOUT, async () => {
    // A# over an A root: the engine reads between the sample's frames.
    const play = (s) => s.noteOn(70, 100, { time: 0 });
    const { out: fresh } = await render(() => {}, play);
    const { out: linear } = await render((s) => s.setInterpolation('linear'), play);
    const { out: hermite } = await render((s) => s.setInterpolation('hermite'), play);
    assert.ok(rms(fresh) > 0.01, 'the note sounds');
    assert.deepEqual(fresh, linear, 'a fresh sampler renders exactly as with linear');
    assert.notDeepEqual(fresh, hermite, 'and not as with hermite');
  });

  test('setVelocityCurve changes the level of a soft note', TIMEOUT, async () => {
    const level = async (curve) => {
      const { out } = await render(`(s) => s.setVelocityCurve('${curve}', { velocity: 127 })`, (s) => s.noteOn(69, 40, { time: 0 }));
      return rms(steady(out));
    };
    const linear = await level('linear');
    const soft = await level('soft');
    const fixed = await level('fixed');
    const db = (x) => 20 * Math.log10(x / linear);
    assert.ok(linear > 1e-3, `the note sounds (rms ${linear})`);
    assert.ok(db(soft) > 3, `soft lifts velocity 40 by ${db(soft).toFixed(2)} dB`);
    // velocity 127 vs 40 with the square law: 20·log10((127/40)²) = 20.07 dB
    assert.ok(Math.abs(db(fixed) - 20.07) < 0.1, `fixed 127 is ${db(fixed).toFixed(2)} dB over velocity 40`);
  });

  test('setPitchBendRange widens pitch bend through the ring', TIMEOUT, async () => {
    const { out } = await render(
      () => {},
      (s) => {
        s.setPitchBendRange(12, { time: 0 });
        s.pitchBend(8191, { time: 0 });
        s.noteOn(69, 100, { time: 0 });
      },
    );
    // +8191/8192 of 12 semitones.
    const expected = 440 * 2 ** ((12 * 8191) / 8192 / 12);
    const error = cents(pitchOf(steady(out), RATE, 600, 1200), expected);
    assert.ok(Math.abs(error) < 1, `bent an octave up: ${error.toFixed(3)} cents off`);
  });

  test('setPolyphony caps the voices that sound', TIMEOUT, async () => {
    const { stats } = await render(
      async (s) => {
        const cap = await s.setPolyphony(3);
        if (cap !== 3) throw new Error(`cap ${cap}`);
        const clamped = await s.setPolyphony(100_000);
        if (clamped !== 256) throw new Error(`clamped to ${clamped}, wanted the pool size 256`);
        await s.setPolyphony(3);
      },
      (s) => [60, 62, 64, 65, 67].forEach((n) => s.noteOn(n, 100, { time: 0.01 * n - 0.5 })),
    );
    assert.equal(stats.activeVoices, 3);
  });

  test('the DSP load meter reads the render time: it grows with the voices and agrees with the same work timed offline', TIMEOUT, async () => {
    // The meter runs on the audio thread with whatever clock it has; the
    // reference is the main thread's performance.now() around an offline
    // render of the same instrument and notes. Both are wall time of the
    // same work on the same machine, so their ratio does not depend on how
    // fast the machine is, only on the meter being right.
    const result = await suite.page.evaluate(async ({ api, voices }) => {
      const { createSampler } = await import(api);
      const sine = (rate) => {
        const data = new Float32Array(rate * 20);
        for (let i = 0; i < data.length; i++) data[i] = Math.sin((2 * Math.PI * 440 * i) / rate);
        return [{ channels: [data], sampleRate: rate, rootKey: 69 }];
      };
      // Notes at or below the root, so the 20 s sample outlasts the wait.
      const playChord = (sampler, options = {}) => {
        for (let k = 0; k < voices; k++) sampler.noteOn(24 + (k % 45), 100, { channel: Math.floor(k / 45), ...options });
      };

      const ctx = new AudioContext();
      await ctx.resume();
      const sampler = await createSampler(ctx);
      sampler.node.connect(ctx.destination);
      sampler.setMasterGain(0.001);
      const before = sampler.stats().dspLoad;
      const nextLoad = async () => {
        const quanta = sampler.stats().quanta;
        // A window is one second; wait for one that started after `quanta`.
        const waitUntil = quanta + Math.ceil((2.2 * ctx.sampleRate) / 128);
        const started = performance.now();
        while (sampler.stats().quanta < waitUntil && performance.now() - started < 10_000) await new Promise((r) => setTimeout(r, 100));
        return sampler.stats().dspLoad;
      };
      const idle = await nextLoad();
      await sampler.loadSamples(sine(ctx.sampleRate));
      playChord(sampler);
      const busy = await nextLoad();
      const stats = sampler.stats();
      await ctx.close();

      // The same notes rendered offline, timed on the main thread: the
      // fastest of three, as other work on the machine only adds time.
      const renderOffline = async (seconds) => {
        const offline = new OfflineAudioContext(2, seconds * ctx.sampleRate, ctx.sampleRate);
        const reference = await createSampler(offline);
        reference.node.connect(offline.destination);
        await reference.loadSamples(sine(ctx.sampleRate));
        playChord(reference, { time: 0 });
        const started = performance.now();
        await offline.startRendering();
        return (performance.now() - started) / 1000 / seconds;
      };
      let offlineLoad = Infinity;
      for (let round = 0; round < 3; round++) offlineLoad = Math.min(offlineLoad, await renderOffline(2));
      return { before, idle, busy, offlineLoad, voices: stats.activeVoices, overBudget: stats.overBudget, clock: sampler.dspClock };
    }, { api: API, voices: 200 });
    const pct = (x) => `${(x * 100).toFixed(2)} %`;
    console.log(`# DSP load: idle ${pct(result.idle)}, ${result.voices} voices ${pct(result.busy)}; the same voices offline ${pct(result.offlineLoad)} (clock ${result.clock}, over budget ${result.overBudget})`);
    assert.equal(result.before, null, 'nothing is published before the first window');
    assert.equal(result.voices, 200);
    assert.ok(['performance.now', 'Temporal.Now'].includes(result.clock), `Chromium has a clock fine enough: ${result.clock}`);
    assert.ok(result.idle > 0 && result.idle < result.busy, `idle ${pct(result.idle)} is below 200 voices ${pct(result.busy)}`);
    // Offline rendering also pays the graph's own overhead, and a busy
    // machine stretches both; a meter that misses the render (reads 0, or
    // a fraction of it) or counts something else is far outside this.
    const ratio = result.busy / result.offlineLoad;
    assert.ok(ratio > 0.25 && ratio < 4, `the meter reads ${ratio.toFixed(2)}x the offline render's time for the same voices`);
  });
});
