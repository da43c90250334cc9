// Instruments a hostile page or file could send (issue 9), rendered by the
// wasm engine in headless Chromium through an OfflineAudioContext: the
// worklet must neither trap nor go silent, and must play normally after.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite, API, TIMEOUT } from './helpers/browser-suite.js';
import { pitchOf, rms } from './helpers/measure.js';

const RATE = 48000;

const suite = browserSuite({ page: true });

/**
 * Renders one second offline from a sampler holding `entries` (each gets
 * a 2 s 440 Hz sine), after `play(sampler)`. Returns the output, the
 * sampler's errors, and what loading threw, if anything.
 */
async function render(entries, play) {
  return suite.page.evaluate(
    async ({ api, rate, entries, play }) => {
      const { createSampler } = await import(api);
      const ctx = new OfflineAudioContext(1, rate, rate);
      const sampler = await createSampler(ctx);
      sampler.node.connect(ctx.destination);
      const data = new Float32Array(rate * 2);
      for (let i = 0; i < data.length; i++) data[i] = Math.sin((2 * Math.PI * 440 * i) / rate);
      const channels = () => [data.slice()];
      let loadError = null;
      for (const list of entries) {
        try {
          await sampler.loadSamples(list.map((e) => ({ channels: channels(), sampleRate: rate, ...e })));
        } catch (err) {
          loadError = `${err.code}: ${err.message}`;
        }
      }
      eval(play)(sampler);
      const out = await ctx.startRendering();
      // Let any message from the audio thread arrive.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return {
        out: Array.from(out.getChannelData(0)),
        errors: sampler.errors.map((e) => `${e.code}: ${e.message}`),
        loadError,
      };
    },
    { api: API, rate: RATE, entries, play: String(play) },
  );
}

describe('hostile instruments', () => {
  test('27 octaves of tuning (F1) neither trap the worklet nor stop later notes', TIMEOUT, async () => {
    // The case, note 69 at its root with tuneCents 32454.98; key
    // 60 plays the same sine untuned. Note 60 starts at 0.5 s.
    const { out, errors, loadError } = await render(
      [[
        { rootKey: 69, keyLo: 69, keyHi: 69, tuneCents: 32454.98 },
        { rootKey: 60, keyLo: 60, keyHi: 60 },
      ]],
      (s) => {
        s.noteOn(69, 100, { time: 0 });
        s.noteOn(60, 100, { time: 0.5 });
      },
    );
    assert.equal(loadError, null);
    assert.deepEqual(errors, [], 'no worklet-failed');
    assert.ok(out.every(Number.isFinite), 'finite output');
    const later = out.slice(0.6 * RATE, 0.6 * RATE + 8192);
    assert.ok(rms(later) > 0.05, `the later note sounds (RMS ${rms(later)})`);
    const cents = 1200 * Math.log2(pitchOf(later, RATE, 200, 600) / 440);
    assert.ok(Math.abs(cents) < 1, `the later note is in tune: ${cents.toFixed(3)} cents off`);
  });

  test('a NaN or infinite gain is refused and the sampler plays on', TIMEOUT, async () => {
    for (const gain of [NaN, Infinity]) {
      const { out, errors, loadError } = await render(
        [[{ rootKey: 69 }], [{ rootKey: 69, gain }]],
        (s) => s.noteOn(69, 100, { time: 0 }),
      );
      assert.ok(loadError, `gain ${gain} is refused`);
      assert.deepEqual(errors.filter((e) => e.startsWith('worklet-failed')), []);
      const steady = out.slice(RATE / 4, RATE / 4 + 8192);
      assert.ok(rms(steady) > 0.05, `gain ${gain}: the instrument before it still plays (RMS ${rms(steady)})`);
    }
  });

  test('a note-on that matches 40 layers starts 32 and says so in stats().layersDropped', TIMEOUT, async () => {
    const result = await suite.page.evaluate(async (api) => {
      const { createSampler } = await import(api);
      const rate = 48000;
      const ctx = new OfflineAudioContext(1, rate / 4, rate);
      const sampler = await createSampler(ctx);
      sampler.node.connect(ctx.destination);
      const tone = new Float32Array(rate);
      tone.fill(0.01);
      // 40 regions on key 60 alone.
      await sampler.loadSamples(Array.from({ length: 40 }, () => ({ channels: [tone.slice()], sampleRate: rate, rootKey: 60, keyLo: 60, keyHi: 60 })));
      const before = sampler.stats().layersDropped;
      sampler.noteOn(60, 100, { time: 0 });
      await ctx.startRendering();
      const stats = sampler.stats();
      return { before, layersDropped: stats.layersDropped, voices: stats.activeVoices, voicesCut: stats.voicesCut };
    }, API);
    assert.deepEqual(result, { before: 0, layersDropped: 8, voices: 32, voicesCut: 0 });
  });

  test('a region with an unknown field is refused by name', TIMEOUT, async () => {
    const message = await suite.page.evaluate(async (api) => {
      const { createSampler } = await import(api);
      const sampler = await createSampler(new OfflineAudioContext(1, 128, 48000));
      // A one-frame 16-bit WAV.
      const wav = new DataView(new ArrayBuffer(46));
      const text = (at, s) => [...s].forEach((c, i) => wav.setUint8(at + i, c.charCodeAt(0)));
      text(0, 'RIFF'); wav.setUint32(4, 38, true); text(8, 'WAVEfmt ');
      wav.setUint32(16, 16, true); wav.setUint16(20, 1, true); wav.setUint16(22, 1, true);
      wav.setUint32(24, 48000, true); wav.setUint32(28, 96000, true); wav.setUint16(32, 2, true); wav.setUint16(34, 16, true);
      text(36, 'data'); wav.setUint32(40, 2, true); wav.setInt16(44, 1000, true);
      const file = new File([wav.buffer], 'tone.wav');
      await sampler.loadInstrument(file); // the same file loads without the extra field
      try {
        await sampler.loadInstrument(file, { regionFilter: (r) => ({ ...r, tuneCents: 50 }) });
        return 'loaded';
      } catch (err) {
        return err.message;
      }
    }, API);
    assert.match(message, /unknown field `tuneCents`/);
  });
});
