// Bad arguments to the JS API, as a careless or hostile page passes them:
// each is refused with the API's own TypeError or RangeError before
// anything reaches the audio thread, and what plays is measured in audio
// rendered offline by the wasm engine in headless Chromium.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { collectErrors } from './helpers/browser.js';
import { browserSuite, API, TIMEOUT } from './helpers/browser-suite.js';
import { pitchOf, rms, onset } from './helpers/measure.js';

const RATE = 48000;
const suite = browserSuite({ page: true });

/**
 * Renders one second offline with a 2 s, 440 Hz sine at root A4 (release
 * 20 ms). `play(sampler)` runs before rendering (it may be async); what it
 * returns comes back as `result`. Calls it makes in `window.tryCall(fn)`
 * return the error's name and message instead of throwing.
 */
async function render(play) {
  return suite.page.evaluate(
    async ({ api, rate, play }) => {
      const { createSampler } = await import(api);
      window.samplerApi = api;
      window.tryCall = async (fn) => {
        try {
          await fn();
          return null;
        } catch (err) {
          return `${err.name}: ${err.message}`;
        }
      };
      const ctx = new OfflineAudioContext(1, rate, rate);
      const sampler = await createSampler(ctx);
      sampler.node.connect(ctx.destination);
      const data = new Float32Array(rate * 2);
      for (let i = 0; i < data.length; i++) data[i] = Math.sin((2 * Math.PI * 440 * i) / rate);
      await sampler.loadSamples([{ channels: [data], sampleRate: rate, rootKey: 69 }], { releaseSeconds: 0.02 });
      const result = await eval(play)(sampler);
      const out = await ctx.startRendering();
      return { out: Array.from(out.getChannelData(0)), result, stats: sampler.stats() };
    },
    { api: API, rate: RATE, play: String(play) },
  );
}

const seconds = (out, from, to) => out.slice(Math.round(from * RATE), Math.round(to * RATE));
const cents = (hz) => 1200 * Math.log2(hz / 440);

/** The A4 note sounds over [from, to) s, at its pitch. */
function assertA4(out, from, to, what) {
  const part = seconds(out, from, to);
  assert.ok(part.every(Number.isFinite), `${what}: finite output`);
  const level = rms(part);
  assert.ok(level > 0.05, `${what}: the note sounds (rms ${level})`);
  const off = cents(pitchOf(part.slice(0, 8192), RATE, 200, 1000));
  assert.ok(Math.abs(off) < 1, `${what}: at 440 Hz (${off.toFixed(2)} cents off)`);
}

describe('event arguments', () => {
  test('noteOff refuses a release velocity outside 0..127, and the note still releases (F3)', TIMEOUT, async () => {
    const errors = collectErrors(suite.page);
    const { out, result } = await render(async (s) => {
      s.noteOn(69, 100, { time: 0 });
      const refused = [];
      for (const velocity of [128, 200, 255, -1, 1.5, NaN]) refused.push(await tryCall(() => s.noteOff(69, { velocity, time: 0.2 })));
      refused.push(await tryCall(() => s.noteOff(69, { velocity: '64', time: 0.2 })));
      const fill = s.ring.fill;
      s.noteOff(69, { velocity: 127, time: 0.4 });
      return { refused, fill };
    });
    result.refused.slice(0, 6).forEach((r) => assert.match(r ?? 'accepted', /^RangeError: release velocity must be an integer in 0\.\.127/));
    assert.match(result.refused[6] ?? 'accepted', /^TypeError: release velocity must be a number/);
    assert.equal(result.fill, 1, 'only the note-on reached the ring');
    assertA4(out, 0.1, 0.39, 'before the note-off');
    const after = rms(seconds(out, 0.5, 1));
    assert.ok(after < 1e-5, `released after the valid note-off (rms ${after})`);
    assert.deepEqual(errors, []);
  });

  test('sendMidi refuses unbounded or non-byte input at once and sends nothing (F4)', { timeout: 30_000 }, async () => {
    const { out, result } = await render(async (s) => {
      const refused = {};
      for (const [name, bytes] of Object.entries({
        infinite: { length: Infinity },
        huge: { length: 2 ** 53 },
        overLimit: new Uint8Array(65537),
        negative: { length: -1 },
        fraction: { length: 2.5 },
        badByte: [0x90, 69, 100, 0x90, 70, 999],
        negativeByte: [0x90, 69, -1],
        string: [0x90, 69, '100'],
        notArray: 42,
        nothing: null,
      })) {
        refused[name] = await tryCall(() => s.sendMidi(bytes, 0));
      }
      return { refused, fill: s.ring.fill, bound: await tryCall(() => s.sendMidi(new Uint8Array(65536).fill(0xfe), 0)) };
    });
    const r = result.refused;
    for (const name of ['infinite', 'huge', 'overLimit', 'negative', 'fraction']) assert.match(r[name] ?? 'accepted', /^RangeError: sendMidi bytes: .*65536/, name);
    assert.match(r.badByte ?? 'accepted', /^RangeError: sendMidi bytes: byte 5 must be an integer in 0\.\.255, got 999/);
    assert.match(r.negativeByte ?? 'accepted', /^RangeError: .*byte 2/);
    assert.match(r.string ?? 'accepted', /^TypeError: sendMidi bytes: byte 2 must be a number/);
    assert.match(r.notArray ?? 'accepted', /^TypeError: sendMidi bytes must be an array/);
    assert.match(r.nothing ?? 'accepted', /^TypeError: sendMidi bytes must be an array/);
    assert.equal(result.bound, null, '65536 bytes (the documented bound) are accepted');
    assert.equal(result.fill, 0, 'nothing reached the ring');
    assert.equal(onset(out), -1, 'silence');
  });

  test('a sysex without its end does not swallow the note-on after it (F9)', TIMEOUT, async () => {
    const { out, stats } = await render((s) => s.sendMidi([0xf0, 1, 2, 3, 0x90, 69, 100], 0));
    assert.ok(onset(out) >= 0 && onset(out) <= 1, `starts at frame 0 (a sine's first sample is 0): ${onset(out)}`);
    assertA4(out, 0.1, 0.5, 'the note after the sysex');
    assert.equal(stats.invalid, 0);
  });

  test('null or non-object options get the API\'s own TypeError, not a destructuring error', TIMEOUT, async () => {
    const { result } = await render(async (s) => {
      const calls = {
        noteOn: () => s.noteOn(60, 100, null),
        noteOff: () => s.noteOff(60, null),
        controlChange: () => s.controlChange(1, 1, null),
        pitchBend: () => s.pitchBend(0, null),
        programChange: () => s.programChange(0, null),
        allNotesOff: () => s.allNotesOff(null),
        sendMidi: () => s.sendMidi([0x90, 60, 1], undefined, null),
        setPitchBendRange: () => s.setPitchBendRange(2, null),
        setVelocityCurve: () => s.setVelocityCurve('soft', null),
        loadSamples: () => s.loadSamples([{ url: 'x.wav', rootKey: 60 }], null),
        loadInstrument: () => s.loadInstrument('x.sfz', null),
        connectMidiInput: () => s.connectMidiInput('all', null),
        'noteOn (string)': () => s.noteOn(60, 100, 'soon'),
        createSampler: async () => (await import(samplerApi)).createSampler(s.context, null),
      };
      const refused = {};
      for (const [name, call] of Object.entries(calls)) refused[name] = await tryCall(call);
      return { refused, fill: s.ring.fill };
    });
    for (const [name, message] of Object.entries(result.refused)) {
      const method = name.split(' ')[0];
      assert.match(message ?? 'accepted', new RegExp(`^TypeError: ${method}: options must be an object, got (null|the string "soon")$`), name);
    }
    assert.equal(result.fill, 0);
  });

  test('settings refuse strings that would pass a numeric comparison, and unknown latency modes', TIMEOUT, async () => {
    const { result } = await render(async (s) => ({
      gain: await tryCall(() => s.setMasterGain('1')),
      delay: await tryCall(() => { s.scheduleDelay = '0.5'; }),
      mode: await tryCall(() => { s.latencyMode = 'fastest'; }),
      modeOption: await tryCall(async () => (await import(samplerApi)).createSampler(s.context, { latencyMode: 'fastest' })),
      after: { delay: s.scheduleDelay, mode: s.latencyMode },
    }));
    assert.match(result.gain ?? 'accepted', /^TypeError: master gain must be a number, got the string "1"/);
    assert.match(result.delay ?? 'accepted', /^TypeError: schedule delay must be a number, got the string "0.5"/);
    assert.match(result.mode ?? 'accepted', /^RangeError: latencyMode must be 'constant' or 'lowest', got the string "fastest"/);
    assert.match(result.modeOption ?? 'accepted', /^RangeError: latencyMode must be/);
    assert.equal(typeof result.after.delay, 'number');
    assert.equal(result.after.mode, 'constant');
  });

  test('times that are not finite or beyond the one-day horizon are refused; nothing plays at once (time: 1e300)', TIMEOUT, async () => {
    const { out, result } = await render(async (s) => {
      const refused = {};
      for (const time of [1e300, -1e300, Infinity, -Infinity, NaN, 86400.5, -86400.5]) {
        refused[String(time)] = await tryCall(() => s.noteOn(69, 100, { time }));
      }
      refused.string = await tryCall(() => s.noteOn(69, 100, { time: '0' }));
      refused.sendMidi = await tryCall(() => s.sendMidi([0x90, 69, 100], 1e300));
      refused.allNotesOff = await tryCall(() => s.allNotesOff({ time: 1e300 }));
      refused.setPitchBendRange = await tryCall(() => s.setPitchBendRange(12, { time: 1e300 }));
      refused.timestamp = await tryCall(() => s.sendMidi([0x90, 69, 100], undefined, { timestamp: 1e300 }));
      refused.port = await tryCall(() => s.sendMidi([0x90, 69, 100], 0, { port: 256 }));
      const fill = s.ring.fill;
      // Within the horizon: accepted (and far in the future, so silent here).
      const accepted = [await tryCall(() => s.noteOn(69, 100, { time: 86400 })), await tryCall(() => s.noteOff(69, { time: -86400 }))];
      return { refused, fill, accepted };
    });
    for (const [time, message] of Object.entries(result.refused)) {
      if (time === 'string') assert.match(message ?? 'accepted', /^TypeError: time must be a number/);
      else if (time === 'timestamp') assert.match(message ?? 'accepted', /^RangeError: timestamp must be a finite performance\.now\(\) time within 86400 s/);
      else if (time === 'port') assert.match(message ?? 'accepted', /^RangeError: port must be an integer in 0\.\.255/);
      else assert.match(message ?? 'accepted', /^RangeError: time must be a finite number of context seconds within 86400 s of currentTime/, time);
    }
    assert.equal(result.fill, 0, 'nothing refused reached the ring');
    assert.deepEqual(result.accepted, [null, null]);
    assert.equal(onset(out), -1, 'nothing played at once');
  });
});

describe('loadSamples arguments (F2 at the API)', () => {
  test('bad numbers and non-finite samples are refused before anything is sent; the current instrument plays on', TIMEOUT, async () => {
    const errors = collectErrors(suite.page);
    const { out, result } = await render(async (s) => {
      const rate = s.context.sampleRate;
      const sine = () => Float32Array.from({ length: rate / 10 }, (_, i) => Math.sin(i / 10));
      const withValue = (v) => { const d = sine(); d[100] = v; return d; };
      const good = { channels: [sine()], sampleRate: rate, rootKey: 69 };
      const buffer = new AudioBuffer({ length: 128, sampleRate: rate, numberOfChannels: 1 });
      buffer.getChannelData(0)[5] = NaN;
      const cases = {
        'gain NaN': [{ ...good, gain: NaN }],
        'gain Infinity': [{ ...good, gain: Infinity }],
        'gain -1': [{ ...good, gain: -1 }],
        'gain string': [{ ...good, gain: '1' }],
        'tuneCents NaN': [{ ...good, tuneCents: NaN }],
        'tuneCents -Infinity': [{ ...good, tuneCents: -Infinity }],
        'sampleRate NaN': [{ ...good, sampleRate: NaN }],
        'sampleRate 0': [{ ...good, sampleRate: 0 }],
        'sampleRate -48000': [{ ...good, sampleRate: -48000 }],
        'sampleRate 1e9': [{ ...good, sampleRate: 1e9 }],
        'sampleRate missing': [{ ...good, sampleRate: undefined }],
        'a NaN sample': [{ ...good, channels: [withValue(NaN)] }],
        'an Infinity sample': [{ ...good, channels: [withValue(Infinity)] }],
        'a -Infinity sample (plain array)': [{ ...good, channels: [Array.from(withValue(-Infinity))] }],
        'a NaN in an AudioBuffer': [{ audioBuffer: buffer, rootKey: 69 }],
        'no frames': [{ ...good, channels: [new Float32Array(0)] }],
        'three channels': [{ ...good, channels: [sine(), sine(), sine()] }],
        'unequal channels': [{ ...good, channels: [sine(), new Float32Array(5)] }],
        'keyLo 200': [{ ...good, keyLo: 200 }],
        'keyLo above keyHi': [{ ...good, keyLo: 70, keyHi: 60 }],
        'velHi 128': [{ ...good, velHi: 128 }],
        'rootKey 60.5': [{ ...good, rootKey: 60.5 }],
        'a null entry': [good, null],
        'url 42': [{ url: 42, rootKey: 60 }],
        'audioBuffer {}': [{ audioBuffer: {}, rootKey: 60 }],
        'no source': [{ rootKey: 60 }],
        'releaseSeconds NaN': [[good], { releaseSeconds: NaN }],
        'releaseSeconds -1': [[good], { releaseSeconds: -1 }],
        'onProgress 5': [[good], { onProgress: 5 }],
      };
      const refused = {};
      for (const [name, args] of Object.entries(cases)) {
        const [entries, options] = Array.isArray(args[0]) ? args : [args];
        refused[name] = await tryCall(() => s.loadSamples(entries, options));
      }
      s.noteOn(69, 100, { time: 0 });
      return { refused };
    });
    const expected = {
      'gain NaN': /^RangeError: gain of sample entry 0 must be a finite number >= 0, got NaN/,
      'gain Infinity': /^RangeError: gain of sample entry 0 must be a finite number >= 0, got Infinity/,
      'gain -1': /^RangeError: gain of sample entry 0 must be a finite number >= 0, got -1/,
      'gain string': /^TypeError: gain of sample entry 0 must be a number/,
      'tuneCents NaN': /^RangeError: tuneCents of sample entry 0 must be a finite number, got NaN/,
      'tuneCents -Infinity': /^RangeError: tuneCents of sample entry 0 must be a finite number/,
      'sampleRate NaN': /^RangeError: sampleRate of sample entry 0 must be in 1000\.\.768000 Hz, got NaN/,
      'sampleRate 0': /^RangeError: sampleRate .* got 0/,
      'sampleRate -48000': /^RangeError: sampleRate .* got -48000/,
      'sampleRate 1e9': /^RangeError: sampleRate .* got 1000000000/,
      'sampleRate missing': /^TypeError: sampleRate of sample entry 0 must be a number, got undefined/,
      'a NaN sample': /^RangeError: sample entry 0: channel 0 has the value NaN at frame 100; samples must be finite/,
      'an Infinity sample': /^RangeError: sample entry 0: channel 0 has the value Infinity at frame 100/,
      'a -Infinity sample (plain array)': /^RangeError: sample entry 0: channel 0 has the value -Infinity at frame 100/,
      'a NaN in an AudioBuffer': /^RangeError: sample entry 0: channel 0 has the value NaN at frame 5/,
      'no frames': /^RangeError: sample entry 0: a sample needs at least one frame, got 0/,
      'three channels': /^TypeError: channels of sample entry 0 must be an array of one or two channels/,
      'unequal channels': /^RangeError: sample entry 0: channel 1 has 5 frames, channel 0 has 4800/,
      'keyLo 200': /^RangeError: keyLo of sample entry 0 must be an integer in 0\.\.127, got 200/,
      'keyLo above keyHi': /^RangeError: sample entry 0: keyLo 70 is above keyHi 60/,
      'velHi 128': /^RangeError: velHi of sample entry 0 must be an integer in 0\.\.127/,
      'rootKey 60.5': /^RangeError: rootKey of sample entry 0 must be an integer in 0\.\.127, got 60\.5/,
      'a null entry': /^TypeError: sample entry 1 must be an object, got null/,
      'url 42': /^TypeError: url of sample entry 0 must be a string or URL/,
      'audioBuffer {}': /^TypeError: audioBuffer of sample entry 0 must be an AudioBuffer/,
      'no source': /^TypeError: sample entry 0 has no url, audioBuffer or channels/,
      'releaseSeconds NaN': /^RangeError: releaseSeconds must be a finite number/,
      'releaseSeconds -1': /^RangeError: releaseSeconds must be a finite number of seconds > 0, got -1/,
      'onProgress 5': /^TypeError: onProgress must be a function, got 5/,
    };
    for (const [name, pattern] of Object.entries(expected)) assert.match(result.refused[name] ?? 'accepted', pattern, name);
    // The instrument loaded first still plays, at its pitch, unmixed with
    // anything refused (its samples would be a 76 Hz sine, or NaN).
    assertA4(out, 0.1, 0.9, 'the instrument loaded before the refused ones');
    assert.deepEqual(errors, []);
  });
});
