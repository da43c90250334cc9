// End to end in headless Chromium against the project's own Vite server
// (real COOP/COEP headers): the page, Web MIDI through the page's own code
// path, and sample-accurate onsets measured in rendered audio.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launchBrowser, collectErrors } from './helpers/browser.js';
import { startDevServer, startServerWithoutIsolation } from './helpers/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const API = `/@fs${ROOT}/web/index.js`;
const TIMEOUT = { timeout: 90_000 };

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startDevServer()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// A Web MIDI stand-in installed before the page's scripts run: one input
// whose messages the test plays; events carry performance-clock timestamps
// like real MIDIMessageEvents.
function installFakeMidi() {
  class FakeInput extends EventTarget {
    constructor() {
      super();
      Object.assign(this, { id: 'fake-1', name: 'Fake Keyboard', manufacturer: 'Test', state: 'connected', type: 'input' });
    }
  }
  const input = new FakeInput();
  const access = new EventTarget();
  access.inputs = new Map([[input.id, input]]);
  access.outputs = new Map();
  window.__fakeMidi = {
    requests: 0,
    play(bytes) {
      const e = new Event('midimessage');
      e.data = Uint8Array.from(bytes);
      input.dispatchEvent(e);
    },
  };
  navigator.requestMIDIAccess = async () => {
    window.__fakeMidi.requests += 1;
    return access;
  };
}

/** Autocorrelation pitch in 300-1000 Hz, refined by parabolic interpolation. */
function pitchOf(samples, rate) {
  const n = samples.length;
  const minLag = Math.floor(rate / 1000);
  const maxLag = Math.ceil(rate / 300);
  const corr = new Float64Array(maxLag + 2);
  for (let lag = minLag - 1; lag <= maxLag + 1; lag++) {
    let s = 0;
    for (let i = 0; i + lag < n; i++) s += samples[i] * samples[i + lag];
    corr[lag] = s;
  }
  let best = minLag;
  for (let lag = minLag; lag <= maxLag; lag++) if (corr[lag] > corr[best]) best = lag;
  const [a, b, c] = [corr[best - 1], corr[best], corr[best + 1]];
  const shift = (a - c) / (2 * (a - 2 * b + c));
  return rate / (best + shift);
}

describe('the demo page', () => {
  test('loads cross-origin isolated, without console errors, and shows the keyboard', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(server.url);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.equal(await page.locator('.key').count(), 37);
    assert.equal(await page.isVisible('#isolation-warning'), false);
    assert.match(await page.textContent('#credit'), /Salamander Grand Piano.*Alexander Holm.*CC BY 3\.0/);
    await page.click('#start');
    await page.evaluate(() => window.__samplerPage.ready);
    assert.match(await page.textContent('#status'), /Ready: piano loaded/);
    assert.match(await page.textContent('#latency'), /latency: \d+\.\d ms/);
    // Clicking a key plays it and lights it; releasing turns it off.
    const key = page.locator('.key[data-note="60"]');
    const box = await key.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.9);
    await page.mouse.down();
    await page.waitForFunction(() => window.__samplerPage.sampler.stats().activeVoices === 1);
    assert.equal(await page.locator('.key[data-note="60"].down').count(), 1);
    await page.mouse.up();
    assert.equal(await page.locator('.key.down').count(), 0);
    const stats = await page.evaluate(() => window.__samplerPage.sampler.stats());
    assert.equal(stats.received >= 1, true);
    assert.equal(stats.late, 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a Web MIDI note-on sounds through the page at the right pitch', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.addInitScript(installFakeMidi);
    await page.goto(server.url);
    await page.click('#start');
    await page.evaluate(() => window.__samplerPage.ready);
    await page.waitForFunction(() => document.querySelector('#midi-input').options.length === 2);
    const measure = `async () => {
      const { analyser, context } = window.__samplerPage;
      const buf = new Float32Array(analyser.fftSize);
      analyser.getFloatTimeDomainData(buf);
      let sum = 0; for (const x of buf) sum += x * x;
      return { rms: Math.sqrt(sum / buf.length), pitch: (${pitchOf})(buf, context.sampleRate) };
    }`;
    const before = await page.evaluate(`(${measure})()`);
    assert.ok(before.rms < 1e-4, `silent before the note (rms ${before.rms})`);
    // A4 plays the A4 sample as recorded; A#4 plays the same sample pitched
    // up a semitone by the engine. Their ratio tests the engine; A4 alone
    // also includes the recording's own tuning.
    const play = async (note) => {
      await page.evaluate((n) => window.__fakeMidi.play([0x90, n, 110]), note);
      await page.waitForTimeout(400);
      const m = await page.evaluate(`(${measure})()`);
      assert.ok(m.rms > 1e-3, `note ${note} sounding (rms ${m.rms}), 20 dB over the silence bound or more`);
      await page.evaluate((n) => window.__fakeMidi.play([0x80, n, 0]), note);
      return m;
    };
    const a4 = await play(69);
    // Released: silent once the release (0.47 s to -80 dB) has left the
    // analyser's 0.68 s window.
    let after;
    for (let waited = 0; waited < 3000; waited += 100) {
      after = await page.evaluate(`(${measure})()`);
      if (after.rms < 1e-4) break;
      await page.waitForTimeout(100);
    }
    assert.ok(after.rms < 1e-4, `silent after the release (rms ${after.rms})`);
    const aSharp4 = await play(70);
    const absolute = 1200 * Math.log2(a4.pitch / 440);
    const step = 1200 * Math.log2(aSharp4.pitch / a4.pitch);
    console.log(`# MIDI notes: A4 ${a4.pitch.toFixed(2)} Hz (${absolute.toFixed(1)} cents from 440), A#4 ${aSharp4.pitch.toFixed(2)} Hz, step ${step.toFixed(2)} cents`);
    assert.ok(Math.abs(absolute) < 15, `A4 at ${a4.pitch.toFixed(2)} Hz`);
    assert.ok(Math.abs(step - 100) < 2, `A4 -> A#4 is ${step.toFixed(2)} cents, not 100`);
    // The key lit up, the engine counted the event and nothing was late.
    await page.evaluate(() => window.__fakeMidi.play([0x90, 70, 110]));
    await page.waitForFunction(() => document.querySelector('.key[data-note="70"]').classList.contains('down'));
    const stats = await page.evaluate(() => window.__samplerPage.sampler.stats());
    assert.equal(stats.received, 5);
    assert.equal(stats.late, 0, 'the scheduling delay covers delivery');
    assert.equal(await page.evaluate(() => window.__fakeMidi.requests), 1);
    await page.evaluate(() => window.__fakeMidi.play([0x80, 70, 0]));
    await page.waitForFunction(() => !document.querySelector('.key[data-note="70"]').classList.contains('down'));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('without cross-origin isolation the page explains what is wrong', TIMEOUT, async () => {
    const plain = await startServerWithoutIsolation();
    try {
      const page = await browser.context.newPage();
      await page.goto(plain.url);
      assert.equal(await page.evaluate(() => crossOriginIsolated), false);
      assert.equal(await page.isVisible('#isolation-warning'), true);
      assert.match(await page.textContent('#isolation-warning'), /Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
      assert.equal(await page.isDisabled('#start'), true);
      await page.close();
    } finally {
      await plain.close();
    }
  });
});

describe('sample accuracy in an OfflineAudioContext', () => {
  // Renders `frames` frames at `rate` with one sample (`kind`: 'dc' or a sine
  // frequency at 44.1 kHz) and the given events; returns the left channel.
  async function renderOffline(page, { rate, frames, kind, root, events, seconds = 2 }) {
    return page.evaluate(
      async ({ api, rate, frames, kind, root, events, seconds }) => {
        const { createSampler } = await import(api);
        const ctx = new OfflineAudioContext(2, frames, rate);
        const sampler = await createSampler(ctx);
        sampler.node.connect(ctx.destination);
        const sampleRate = kind === 'dc' ? rate : 44100;
        const data = new Float32Array(sampleRate * seconds);
        for (let i = 0; i < data.length; i++) data[i] = kind === 'dc' ? 1 : Math.sin((2 * Math.PI * kind * i) / sampleRate);
        await sampler.loadSamples([{ channels: [data], sampleRate, rootKey: root }]);
        for (const e of events) {
          if (e.frame !== undefined) sampler.ring.trySend(e.frame, 0x90, e.note, 100);
          else sampler.noteOn(e.note, 100, { time: e.time });
        }
        const out = await ctx.startRendering();
        return Array.from(out.getChannelData(0));
      },
      { api: API, rate, frames, kind, root, events, seconds },
    );
  }

  const onset = (x, from = 0) => {
    for (let i = from; i < x.length; i++) if (Math.abs(x[i]) > 1e-6) return i;
    return -1;
  };

  test('notes written to the ring for frames 1000, 1129 and 5000 start at exactly those frames', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(server.url);
    for (const target of [1000, 1129, 5000]) {
      const out = await renderOffline(page, { rate: 48000, frames: 8192, kind: 'dc', root: 60, events: [{ frame: target, note: 60 }] });
      assert.equal(onset(out), target, `note for frame ${target}`);
    }
    // Several in one render: each onset is where the level steps up from
    // the previous note's steady level.
    const out = await renderOffline(page, {
      rate: 48000, frames: 8192, kind: 'dc', root: 60,
      events: [{ frame: 1000, note: 60 }, { frame: 1129, note: 60 }, { frame: 5000, note: 60 }],
    });
    assert.equal(onset(out), 1000);
    const steps = [];
    for (let i = 1001; i < out.length; i++) if (out[i] - out[i - 1] > 1e-6 && !(out[i - 1] - out[i - 2] > 1e-6)) steps.push(i);
    assert.deepEqual(steps, [1129, 5000]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('output survives wasm memory growth after the worklet bound its views', TIMEOUT, async () => {
    // The processor binds its output views when it is constructed; a 60 s
    // sample (11.5 MB at 48 kHz) then grows wasm memory, detaching them.
    const page = await browser.context.newPage();
    const errors = collectErrors(page);
    await page.goto(server.url);
    const out = await renderOffline(page, { rate: 48000, frames: 4096, kind: 'dc', root: 60, seconds: 60, events: [{ frame: 1000, note: 60 }] });
    assert.equal(onset(out), 1000);
    // master gain 0.5 × velocity 100 (squared) × channel volume 100 (squared)
    assert.ok(Math.abs(out[3000] - 0.5 * (100 / 127) ** 4) < 1e-4, `level ${out[3000]}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('noteOn with an explicit time is sample-accurate at 44.1, 48 and 96 kHz, and pitched right', TIMEOUT, async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    for (const rate of [44100, 48000, 96000]) {
      const frame = 3001;
      const out = await renderOffline(page, { rate, frames: rate, kind: 'dc', root: 60, events: [{ time: frame / rate, note: 60 }] });
      assert.equal(onset(out), frame, `onset at ${rate} Hz`);
      // A 440 Hz sine recorded at 44.1 kHz with root A4, played a fifth up.
      const tone = await renderOffline(page, { rate, frames: rate, kind: 440, root: 69, events: [{ time: 0, note: 76 }] });
      const measured = pitchOf(tone.slice(rate / 10, rate / 10 + 8192), rate);
      const expected = 440 * 2 ** (7 / 12);
      const cents = 1200 * Math.log2(measured / expected);
      assert.ok(Math.abs(cents) < 1, `${rate} Hz: ${measured.toFixed(3)} Hz is ${cents.toFixed(3)} cents off`);
    }
    await page.close();
  });
});
