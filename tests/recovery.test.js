// When the engine traps anyway, the sampler recovers: what was pending
// rejects with 'worklet-failed', nothing keeps posting, and restart()
// (or the automatic restart, within its limit) brings the same sampler back
// on the same context with its instrument, settings and MIDI input,
// measured in the audio its unchanged output node gives an AnalyserNode.
// The trap is forced through the test-only createSampler option _testTraps.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launchBrowser, collectErrors } from './helpers/browser.js';
import { startDevServer } from './helpers/server.js';
import { pitchOf } from './helpers/measure.js';
import { installFakeMidi } from './helpers/fake-midi.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const API = `/@fs${ROOT}/web/index.js`;
const TIMEOUT = { timeout: 120_000 };

let browser;
let server;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startDevServer()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A page with `window.__rig(options)`: a running context, a sampler created
 * with `options`, an AnalyserNode on `sampler.node` and a 20 s 440 Hz sine
 * instrument (root A4); plus helpers to play a note and measure it, and to
 * wait for a state.
 */
async function openRig() {
  const page = await browser.context.newPage();
  const errors = collectErrors(page);
  await page.addInitScript(installFakeMidi);
  await page.goto(server.url);
  await page.evaluate((api) => {
    window.__rig = async (options) => {
      const { createSampler } = await import(api);
      const ctx = new AudioContext();
      await ctx.resume();
      const sampler = await createSampler(ctx, options);
      const analyser = new AnalyserNode(ctx, { fftSize: 16384 });
      sampler.node.connect(analyser);
      sampler.node.connect(ctx.destination);
      const rate = ctx.sampleRate;
      const sine = new Float32Array(rate * 20);
      for (let i = 0; i < sine.length; i++) sine[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate);
      await sampler.loadSamples([{ channels: [sine], sampleRate: rate, rootKey: 69 }]);
      const states = [];
      sampler.onstatechange = (e) => states.push({ state: e.state, error: e.error?.code, autoRestart: e.autoRestart, automatic: e.restart?.automatic });
      const errors = [];
      sampler.onerror = (e) => errors.push(e.code);
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      const rig = {
        ctx, sampler, analyser, states, errors, sleep,
        /** Waits (up to 20 s) until `sampler.state` is `state`. */
        async until(state) {
          for (let i = 0; i < 400 && sampler.state !== state; i++) await sleep(50);
          if (sampler.state !== state) throw new Error(`state ${sampler.state}, waited for ${state}`);
        },
        /** Waits until the context has rendered `seconds` more. */
        async rendered(seconds) {
          const end = ctx.currentTime + seconds;
          while (ctx.currentTime < end) await sleep(20);
        },
        /** What the analyser hears 0.4 s after `start()`: rms and samples. */
        async listen(start) {
          start();
          await rig.rendered(0.4);
          const buf = new Float32Array(analyser.fftSize);
          analyser.getFloatTimeDomainData(buf);
          return { rms: Math.sqrt(buf.reduce((s, v) => s + v * v, 0) / buf.length), samples: Array.from(buf), rate };
        },
        async silence() {
          sampler.allNotesOff();
          sampler.pitchBend(0);
          await rig.rendered(0.6);
        },
      };
      window.rig = rig;
      return true;
    };
  }, API);
  return { page, errors };
}

const cents = (hz, expected) => 1200 * Math.log2(hz / expected);
const db = (a, b) => 20 * Math.log10(a / b);

describe('recovery from an engine trap', () => {
  for (const transport of ['shared', 'message']) {
    test(`${transport} transport: pending loads, settings and sync reject with worklet-failed, and nothing keeps posting to the dead engine`, TIMEOUT, async () => {
      const { page, errors } = await openRig();
      const r = await page.evaluate(async (transport) => {
        await window.__rig({ _testTraps: true, autoRestart: false, transport });
        const { sampler, sleep } = window.rig;
        let posts = 0;
        const post = MessagePort.prototype.postMessage;
        MessagePort.prototype.postMessage = function (msg, ...rest) {
          posts++;
          return post.call(this, msg, ...rest);
        };
        // Settled requests say how; the test does not wait on them.
        const outcome = (p) => {
          const o = { result: 'pending' };
          p.then(() => { o.result = 'resolved'; }, (e) => { o.result = `${e.name} ${e.code}`; });
          return o;
        };
        // The trap is armed first: on the same port, before the load, so the
        // load's first sample copy (or the next quantum, if it comes first)
        // traps while the load is pending.
        sampler._forceTrapForTest();
        const big = Array.from({ length: 40 }, () => ({ channels: [new Int16Array(500_000)], sampleRate: 48000 }));
        const load = outcome(sampler._sendInstrument(big, [{ sample: 0, root_key: 60 }], {}));
        // Requests made when the engine is already dead, before the page
        // hears of it: nothing will ever answer them.
        let late = null;
        const onMessage = sampler._onMessage.bind(sampler);
        sampler._onMessage = (msg) => {
          if (msg.type === 'failed' && !late) late = { settings: outcome(sampler.setTranspose(2)), sync: outcome(sampler.sync()) };
          onMessage(msg);
        };
        await window.rig.until('failed');
        await sleep(0);
        // sync() has nothing to wait for with the shared ring.
        const result = { load: load.result, settings: late.settings.result, sync: late.sync.result };
        const postsAtFailure = posts;
        const quanta = sampler.stats().quanta;
        // No timer or watchdog keeps talking to the dead engine.
        await window.rig.rendered(1.5);
        await sleep(100);
        MessagePort.prototype.postMessage = post;
        return {
          ...result,
          laterPosts: posts - postsAtFailure,
          rendering: transport === 'shared' ? sampler.stats().quanta - quanta : 0,
          state: sampler.state,
          states: window.rig.states,
          errors: window.rig.errors,
          afterwards: {
            settings: await sampler.setPolyphony(8).then(() => 'resolved', (e) => `${e.name} ${e.code}`),
            noteOn: sampler.noteOn(60, 100),
            gain: (sampler.setMasterGain(0.3), 'accepted'),
          },
        };
      }, transport);
      assert.equal(r.load, 'SamplerError worklet-failed');
      assert.equal(r.settings, 'SamplerError worklet-failed');
      assert.equal(r.sync, transport === 'shared' ? 'resolved' : 'SamplerError worklet-failed');
      assert.equal(r.laterPosts, 0, 'no message is posted after the failure');
      assert.equal(r.rendering, 0, 'the failed engine renders no more quanta');
      assert.equal(r.state, 'failed');
      assert.deepEqual(r.states, [{ state: 'failed', error: 'worklet-failed', autoRestart: false, automatic: undefined }]);
      assert.deepEqual(r.errors, ['worklet-failed']);
      // While failed: requests reject at once, events are refused, the gain is kept for a restart.
      assert.deepEqual(r.afterwards, { settings: 'SamplerError worklet-failed', noteOn: false, gain: 'accepted' });
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  test('restart() brings back the instrument, every setting and the MIDI input on the same context and output node', TIMEOUT, async () => {
    const { page, errors } = await openRig();
    const r = await page.evaluate(async () => {
      await window.__rig({ _testTraps: true, autoRestart: false });
      const { sampler, listen, silence, until } = window.rig;
      const node = sampler.node;
      sampler.setMasterGain(0.25);
      await sampler.setTranspose(3);
      await sampler.setVelocityCurve('fixed', { velocity: 127 });
      await sampler.setInterpolation('linear');
      await sampler.setPolyphony(3);
      sampler.setPitchBendRange(12);
      await sampler.connectMidiInput('all');
      // A3 (+3 semitones of transpose), bent up a whole octave, velocity 20 played at 127.
      const play = () => listen(() => {
        sampler.pitchBend(8191);
        window.__fakeMidi.play([0x90, 57, 20]);
      });
      const chord = async () => {
        for (const n of [45, 48, 52, 55, 57]) sampler.noteOn(n, 100);
        await window.rig.rendered(0.1);
        return sampler.stats().activeVoices;
      };
      const before = await play();
      await silence();
      const voicesBefore = await chord();
      await silence();
      sampler._forceTrapForTest();
      await until('failed');
      const silent = await listen(() => {});
      const report = await sampler.restart();
      const after = await play();
      await silence();
      const voicesAfter = await chord();
      await window.rig.ctx.close();
      return {
        before, after, silent: silent.rms, voicesBefore, voicesAfter, sameNode: sampler.node === node,
        report: { automatic: report.automatic, samples: report.instrument?.samples, instrumentError: report.instrumentError },
        restartMs: report.ms,
        states: window.rig.states.map((s) => s.state),
      };
    });
    const expected = 440 * 2 ** ((57 + 3 - 69) / 12) * 2 ** ((12 * 8191) / 8192 / 12);
    const pitch = (m) => pitchOf(m.samples, m.rate, 200, 1000);
    console.log(`# restart: before the trap ${pitch(r.before).toFixed(2)} Hz, rms ${r.before.rms.toFixed(4)}; after restart() ${pitch(r.after).toFixed(2)} Hz, rms ${r.after.rms.toFixed(4)} (expected ${expected.toFixed(2)} Hz); restart() took ${r.restartMs} ms with a 20 s sample (3.7 MiB)`);
    assert.ok(Math.abs(cents(pitch(r.before), expected)) < 3, 'transpose and bend range apply before the trap');
    assert.ok(r.silent < 1e-4, `silent while failed (rms ${r.silent})`);
    assert.ok(Math.abs(cents(pitch(r.after), expected)) < 3, `after restart: ${pitch(r.after).toFixed(2)} Hz, want ${expected.toFixed(2)}`);
    // Master gain 0.25 and the fixed velocity 127: unrestored, the level
    // would be 6 dB up (gain 0.5) or 16 dB down (velocity 20).
    assert.ok(Math.abs(db(r.after.rms, r.before.rms)) < 0.5, `level ${db(r.after.rms, r.before.rms).toFixed(2)} dB from before the trap`);
    assert.equal(r.voicesBefore, 3);
    assert.equal(r.voicesAfter, 3, 'polyphony 3 restored');
    assert.equal(r.sameNode, true);
    assert.deepEqual(r.report, { automatic: false, samples: 1, instrumentError: null });
    assert.deepEqual(r.states, ['failed', 'restarting', 'running']);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the automatic restart plays again; it gives up after 3 in a minute, until restart()', TIMEOUT, async () => {
    const { page, errors } = await openRig();
    const r = await page.evaluate(async () => {
      await window.__rig({ _testTraps: true });
      const { sampler, listen, silence, until, sleep } = window.rig;
      await sampler.setTranspose(-12);
      const note = () => listen(() => sampler.noteOn(69, 100));
      const heard = [];
      for (let i = 0; i < 3; i++) {
        sampler._forceTrapForTest();
        await until('failed');
        await until('running');
        heard.push(await note());
        await silence();
      }
      // The fourth failure within the minute: no automatic restart.
      sampler._forceTrapForTest();
      await until('failed');
      await sleep(1000);
      const stayed = sampler.state;
      const report = await sampler.restart();
      heard.push(await note());
      await window.rig.ctx.close();
      return {
        heard,
        stayed, report: { automatic: report.automatic, samples: report.instrument?.samples },
        states: window.rig.states, errors: window.rig.errors,
      };
    });
    for (const [i, h] of r.heard.entries()) {
      const hz = pitchOf(h.samples, h.rate, 100, 500);
      assert.ok(h.rms > 1e-2 && Math.abs(cents(hz, 220)) < 3, `note ${i + 1} after a restart: ${hz.toFixed(2)} Hz, rms ${h.rms}`);
    }
    assert.equal(r.stayed, 'failed');
    assert.deepEqual(r.report, { automatic: false, samples: 1 });
    const failures = r.states.filter((s) => s.state === 'failed');
    assert.deepEqual(failures.map((s) => s.autoRestart), [true, true, true, false]);
    assert.deepEqual(r.states.filter((s) => s.state === 'running').map((s) => s.automatic), [true, true, true, false]);
    assert.deepEqual(r.errors, ['worklet-failed', 'worklet-failed', 'worklet-failed', 'worklet-failed']);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('an instrument loaded while the sampler restarts stays: it swaps in after the restored one', TIMEOUT, async () => {
    const { page, errors } = await openRig();
    const r = await page.evaluate(async () => {
      await window.__rig({ _testTraps: true, autoRestart: false });
      const { sampler, ctx, listen, until } = window.rig;
      sampler._forceTrapForTest();
      await until('failed');
      const rate = ctx.sampleRate;
      const tone = new Float32Array(rate * 5);
      for (let i = 0; i < tone.length; i++) tone[i] = 0.5 * Math.sin((2 * Math.PI * 660 * i) / rate);
      // The restart replays the 440 Hz load; this one is ready first.
      const restarted = sampler.restart();
      const loaded = sampler.loadSamples([{ channels: [tone], sampleRate: rate, rootKey: 69 }]);
      await Promise.all([restarted, loaded]);
      const heard = await listen(() => sampler.noteOn(69, 100));
      await ctx.close();
      return heard;
    });
    const hz = pitchOf(r.samples, r.rate, 300, 1000);
    assert.ok(Math.abs(cents(hz, 660)) < 3, `the newer instrument plays: ${hz.toFixed(2)} Hz`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('without the test option the worklet ignores the trap request, and no MIDI message reaches it', TIMEOUT, async () => {
    const { page, errors } = await openRig();
    const r = await page.evaluate(async () => {
      await window.__rig({});
      const { sampler, rendered } = window.rig;
      sampler._forceTrapForTest();
      sampler._worklet.port.postMessage({ type: 'test-trap' });
      // Every status byte with every data byte pattern the ring carries.
      for (let s = 0x80; s <= 0xff; s++) sampler.sendMidi([s, 0x7f, 0x7f]);
      const quanta = sampler.stats().quanta;
      await rendered(0.3);
      return { state: sampler.state, rendering: sampler.stats().quanta - quanta, errors: window.rig.errors };
    });
    assert.equal(r.state, 'running');
    assert.ok(r.rendering > 50, `still rendering (${r.rendering} quanta)`);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
