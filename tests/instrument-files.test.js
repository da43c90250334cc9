// loadInstrument with user files (File objects made in the page), folder
// paths, note-named audio sets, JSON instruments and SF3, in headless
// Chromium; every case is checked in rendered audio (pitch, level, onset)
// and progress is checked in bytes and samples.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser, collectErrors } from './helpers/browser.js';
import { startDevServer } from './helpers/server.js';
import { wav16, writeFixtures } from './helpers/fixtures.js';
import { onset } from './helpers/measure.js';
import { soundFont } from './helpers/soundfont.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const API = `/@fs${ROOT}/web/index.js`;
const TIMEOUT = { timeout: 90_000 };
const RATE = 48000;
/** Master gain 0.5 × channel volume 100 (squared): a sample value of 1 at velocity 127. */
const UNITY = 0.5 * (100 / 127) ** 2;

let browser;
let server;
let page;

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startDevServer()]);
  page = await browser.context.newPage();
  page.errors = collectErrors(page);
  await page.goto(server.url);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const sine = (freq, amp, seconds, rate = 44100) => Array.from({ length: Math.round(seconds * rate) }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));
const cents = (measured, expected) => 1200 * Math.log2(measured / expected);
/**
 * Frequency of a clean tone from its rising zero crossings (linearly
 * interpolated), first to last: for sines this is far more exact than
 * autocorrelation over a short window (helpers/measure.js's pitchOf reads
 * low notes over 8192 frames up to 1.5 cents off).
 */
function pitchOf(x, rate) {
  const crossings = [];
  for (let i = 1; i < x.length; i++) if (x[i - 1] < 0 && x[i] >= 0) crossings.push(i - 1 + x[i - 1] / (x[i - 1] - x[i]));
  if (crossings.length < 3) return NaN;
  return ((crossings.length - 1) * rate) / (crossings.at(-1) - crossings[0]);
}
const peak = (x) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * In the page: makes Files from `files` ({ path: Buffer|string }; `asEntries`
 * passes { file, path } so folders survive, else File objects named by
 * their paths), or uses `url`; loads them into a sampler on a 1-channel
 * OfflineAudioContext at 48 kHz, plays `events` ([seconds, 'on'|'off',
 * note, velocity]) and renders `seconds`. Returns { out, result, progress }
 * or { error: { code, message } }.
 */
async function render({ files, asEntries = false, url, options = {}, events = [], seconds = 1 }) {
  const encoded = files && Object.entries(files).map(([path, data]) => [path, Buffer.from(data).toString('base64')]);
  return page.evaluate(
    async ({ api, encoded, asEntries, url, options, events, seconds, rate }) => {
      const { createSampler } = await import(api);
      const ctx = new OfflineAudioContext(1, Math.round(seconds * rate), rate);
      const sampler = await createSampler(ctx);
      sampler.node.connect(ctx.destination);
      let source = url;
      if (encoded) {
        const made = encoded.map(([path, b64]) => {
          const file = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], path.split('/').pop());
          return asEntries ? { file, path } : file;
        });
        source = made.length === 1 && !asEntries ? made[0] : made;
      }
      const progress = [];
      let result;
      try {
        result = await sampler.loadInstrument(source, { ...options, onProgress: (p) => progress.push(p) });
      } catch (err) {
        return { error: { code: err.code, message: err.message }, progress };
      }
      for (const [time, kind, note, velocity] of events) {
        if (kind === 'on') sampler.noteOn(note, velocity, { time });
        else sampler.noteOff(note, { time });
      }
      const rendered = await ctx.startRendering();
      return { out: Array.from(rendered.getChannelData(0)), result, progress };
    },
    { api: API, encoded, asEntries, url, options, events, seconds, rate: RATE },
  );
}

/** Level of a constant-valued sample in `out` at frame `i`, as a sample value (velocity 127, no veltrack). */
const level = (out, i) => out[i] / UNITY;

describe('user files through loadInstrument', () => {
  test('an SFZ with #include and samples as File objects; names matched ignoring case; progress in bytes', TIMEOUT, async () => {
    const constant = (v, seconds = 0.5) => wav16(new Array(RATE * seconds).fill(v), RATE);
    const files = {
      'piano.sfz': '#include "Layers.SFZ"\n<region> sample=click.wav key=72 amp_veltrack=0\n',
      'layers.sfz': '<group> amp_veltrack=0\n<region> sample=Soft.WAV lokey=60 hikey=64 lovel=1 hivel=63\n<region> sample=loud.wav lokey=60 hikey=64 lovel=64\n',
      'soft.wav': constant(0.25),
      'loud.wav': constant(0.5),
      'click.wav': constant(0.125, 0.1),
    };
    const r = await render({ files, events: [[1000 / RATE, 'on', 60, 40], [12000 / RATE, 'on', 62, 100], [24000 / RATE, 'on', 72, 100]] });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.result.kind, 'sfz');
    assert.equal(r.result.name, 'piano');
    assert.equal(r.result.regions, 3);
    assert.equal(r.result.samples, 3);
    assert.deepEqual(r.result.warnings, ['Layers.SFZ: matched layers.sfz ignoring case', 'Soft.WAV: matched soft.wav ignoring case']);
    assert.equal(onset(r.out), 1000);
    assert.ok(Math.abs(level(r.out, 6000) - 0.25) < 2e-3, `soft layer ${level(r.out, 6000)}`);
    assert.ok(Math.abs(level(r.out, 18000) - 0.25 - 0.5) < 2e-3, `plus the loud layer ${level(r.out, 18000)}`);
    // The click (0.1 s) sounds on top of both, from frame 24000.
    assert.ok(Math.abs(level(r.out, 24500) - 0.875) < 2e-3, `click ${level(r.out, 24500)}`);
    // Progress: every byte of the five files, every sample, then 'transfer'.
    const total = Object.values(files).reduce((n, d) => n + Buffer.byteLength(d), 0);
    const last = r.progress.at(-1);
    assert.deepEqual(last, { phase: 'transfer', loadedBytes: total, totalBytes: total, loadedSamples: 3, totalSamples: 3, loaded: 3, total: 3 });
    assert.ok(r.progress.some((p) => p.phase === 'decode' && p.loadedSamples === 1));
    for (let i = 1; i < r.progress.length; i++) assert.ok(r.progress[i].loadedBytes >= r.progress[i - 1].loadedBytes, 'bytes only grow');
  });

  test('a dropped folder as { file, path }: backslashes, base-name fallback, and a missing file named', TIMEOUT, async () => {
    const files = {
      'Kit/kit.sfz': '<region> sample=Samples\\tone.wav key=69 pitch_keycenter=69 amp_veltrack=0\n<region> sample=..\\other\\low.wav key=57 pitch_keycenter=57 amp_veltrack=0\n',
      'Kit/Samples/tone.wav': wav16(sine(441, 0.5, 1), 44100),
      'Elsewhere/deep/low.wav': wav16(sine(220.5, 0.5, 1), 44100),
      'Kit/readme.txt': 'not audio',
    };
    const r = await render({ files, asEntries: true, events: [[0, 'on', 69, 100], [0.5, 'off', 69], [0.5, 'on', 57, 100]] });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.deepEqual(r.result.warnings, ['other/low.wav: not in the files given; using Elsewhere/deep/low.wav, the only file of that name']);
    const a4 = pitchOf(r.out.slice(4800, 4800 + 8192), RATE);
    const a3 = pitchOf(r.out.slice(30000, 30000 + 8192), RATE);
    assert.ok(Math.abs(cents(a4, 441)) < 1, `A4 ${a4}`);
    assert.ok(Math.abs(cents(a3, 220.5)) < 1, `A3 ${a3}`);
    // A sample the SFZ names but the folder lacks: an error naming it.
    delete files['Elsewhere/deep/low.wav'];
    const missing = await render({ files, asEntries: true });
    assert.equal(missing.error?.code, 'instrument');
    assert.match(missing.error.message, /^Kit\/kit\.sfz: the file "other\/low\.wav" is missing from the files given$/);
  });

  test('audio files named by note: C4 = 60, nearest-root keys, velocity layers from v-markers', TIMEOUT, async () => {
    const c4 = 261.6256;
    const files = {
      'Piano_C4_v1.wav': wav16(sine(c4, 0.2, 1), 44100),
      'Piano_C4_v2.wav': wav16(sine(c4, 0.6, 1), 44100),
      'A4.wav': wav16(sine(440, 0.4, 1), 44100),
      'notes.txt': 'ignored',
    };
    const r = await render({
      files,
      seconds: 2,
      events: [[0, 'on', 60, 40], [0.4, 'off', 60], [0.5, 'on', 60, 120], [0.9, 'off', 60], [1.0, 'on', 62, 127], [1.4, 'off', 62], [1.5, 'on', 71, 127]],
    });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.result.kind, 'files');
    assert.equal(r.result.name, '3 audio files', 'loose files are not named after the first of them');
    assert.equal(r.result.regions, 3);
    assert.deepEqual(r.result.warnings, ['notes.txt: not an audio file; left out']);
    // A folder of them is named after the folder.
    const folder = await render({ files: { 'My Kit/C4.wav': files['A4.wav'], 'My Kit/sub/D4.wav': files['A4.wav'] }, asEntries: true });
    assert.equal(folder.error, undefined, JSON.stringify(folder.error));
    assert.equal(folder.result.name, 'My Kit');
    const window = (t) => r.out.slice(Math.round(t * RATE), Math.round(t * RATE) + 8192);
    // Pitch: C4 as recorded, D4 from the C4 sample (nearest root), B4 from A4.
    assert.ok(Math.abs(cents(pitchOf(window(0.1), RATE), c4)) < 1);
    assert.ok(Math.abs(cents(pitchOf(window(1.1), RATE), c4 * 2 ** (2 / 12))) < 1);
    assert.ok(Math.abs(cents(pitchOf(window(1.6), RATE), 440 * 2 ** (2 / 12))) < 1);
    // Level: velocity 40 plays layer 1 (0.2), 120 plays layer 2 (0.6); the
    // default velocity curve is (velocity/127)^2.
    const soft = peak(window(0.1)) / UNITY / (40 / 127) ** 2;
    const loud = peak(window(0.6)) / UNITY / (120 / 127) ** 2;
    assert.ok(Math.abs(soft - 0.2) < 0.01, `layer 1 level ${soft}`);
    assert.ok(Math.abs(loud - 0.6) < 0.02, `layer 2 level ${loud}`);
    assert.equal(onset(r.out), 1, "the note starts at frame 0 (a sine, so the first non-zero value is at 1)");
  });

  test('a JSON instrument: roots, key ranges, a loop and volume; bad fields are named', TIMEOUT, async () => {
    const tone = wav16(sine(441, 0.5, 0.1), 44100); // 0.1 s only: a note held longer needs the loop
    const files = {
      'inst.json': JSON.stringify({
        name: 'Json test',
        release: 0.05,
        samples: [
          { path: 'wav/low.wav', root: 'A3', keys: ['C0', 'B3'] },
          { path: 'wav/tone.wav', root: 69, keys: [60, 127], loop: [2000, 4000], volume: -6 },
        ],
      }),
      'wav/low.wav': wav16(sine(220.5, 0.5, 1), 44100),
      'wav/tone.wav': tone,
    };
    const r = await render({ files, asEntries: true, seconds: 1.5, events: [[0, 'on', 69, 127], [0.7, 'off', 69], [0.8, 'on', 57, 127]] });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.deepEqual([r.result.kind, r.result.name, r.result.regions, r.result.warnings], ['json', 'Json test', 2, []]);
    const at = (t) => r.out.slice(Math.round(t * RATE), Math.round(t * RATE) + 8192);
    // Held past the sample's 0.1 s by the loop, at 441 Hz, 6 dB down.
    assert.ok(Math.abs(cents(pitchOf(at(0.5), RATE), 441)) < 1);
    const held = peak(at(0.5)) / UNITY;
    assert.ok(Math.abs(held - 0.5 * 10 ** (-6 / 20)) < 0.01, `looped level ${held}`);
    // Released after 0.05 s; then A3 plays low.wav at its own pitch.
    assert.ok(peak(r.out.slice(Math.round(0.78 * RATE), Math.round(0.8 * RATE))) < 1e-3, 'released');
    assert.ok(Math.abs(cents(pitchOf(at(0.9), RATE), 220.5)) < 1);
    // A mistake in the file: the error names the file and the field.
    files['inst.json'] = JSON.stringify({ samples: [{ path: 'wav/low.wav', root: 'H3' }] });
    const bad = await render({ files, asEntries: true });
    assert.equal(bad.error?.code, 'instrument');
    assert.match(bad.error.message, /inst\.json: samples\[0\]\.root: "H3" is not a note name/);
  });

  test('SF3 (Ogg Vorbis samples) from a URL and as a File: pitch, loop relative to the decoded sample', TIMEOUT, async () => {
    const ogg = readFileSync(new URL('./fixtures/sine-441.ogg', import.meta.url));
    // 1 s of 441 Hz at 22050 Hz (50 frames a period); loop 100 periods.
    const font = soundFont({ name: 'Sine', sample: { data: ogg, ogg: true, rate: 22050, root: 69, loop: [11025, 16025] } });
    const dir = writeFixtures('sf3', { 'sine.sf3': font });
    for (const source of [{ url: `/@fs${dir}sine.sf3` }, { files: { 'sine.sf3': font } }]) {
      const r = await render({ ...source, seconds: 1.6, events: [[0.01, 'on', 69, 127]] });
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal(r.result.kind, 'sf3');
      assert.deepEqual(r.result.presets, [{ name: 'Sine', bank: 0, program: 0, index: 0 }]);
      assert.equal(r.result.name, 'Sine font');
      assert.equal(onset(r.out, 0, 1e-4) >= 480, true);
      const early = r.out.slice(0.3 * RATE, 0.3 * RATE + 8192);
      const late = r.out.slice(1.3 * RATE, 1.3 * RATE + 8192); // past the 1 s sample: the loop holds it
      assert.ok(Math.abs(cents(pitchOf(early, RATE), 441)) < 1, `pitch ${pitchOf(early, RATE)}`);
      assert.ok(Math.abs(cents(pitchOf(late, RATE), 441)) < 1);
      // SF2 attenuation scale (0.4) and velocity 127: about the encoded 0.5.
      const ratio = peak(late) / peak(early);
      assert.ok(peak(early) > 0.1 && Math.abs(ratio - 1) < 0.05, `sustained: ${peak(early)} then ${peak(late)}`);
      assert.deepEqual(r.progress.at(-1), { ...r.progress.at(-1), phase: 'transfer', loadedSamples: 1, totalSamples: 1, loadedBytes: font.length });
    }
  });

  test('a refused file is named once, at the start of the message, from files and from URLs', TIMEOUT, async () => {
    const dir = writeFixtures('named-once', { 'x.sf2': 'RIFF\x04\0\0\0WAVE', 'fake.wav': 'RIFF....WAVEfmt garbage' });
    const cases = [
      [{ files: { 'x.sf2': 'RIFF\x04\0\0\0WAVE' } }, /^x\.sf2: not a SoundFont 2 file: the RIFF form type is 'WAVE'/],
      [{ files: { 'x.sf2': 'hello' } }, /^x\.sf2: not a SoundFont 2 file: the file is 5 bytes/],
      [{ files: { 'fake.wav': 'RIFF....WAVEfmt garbage' } }, /^fake\.wav: not audio the browser can decode/],
      [{ files: { 'miss.sfz': '<region> sample=a.wav' } }, /^miss\.sfz: the file "a\.wav" is missing/],
      [{ url: `/@fs${dir}x.sf2` }, /^http:\/\/[^ ]*\/x\.sf2: not a SoundFont 2 file/],
      [{ url: `/@fs${dir}fake.wav` }, /^http:\/\/[^ ]*\/fake\.wav: not audio/],
    ];
    for (const [source, expected] of cases) {
      const r = await render(source);
      const where = source.url ?? Object.keys(source.files)[0];
      assert.equal(r.error?.code, 'instrument', `${where}: ${JSON.stringify(r.error)}`);
      assert.match(r.error.message, expected);
      const name = /[^/]+\.\w+(?=: )/.exec(r.error.message)[0];
      assert.equal(r.error.message.split(name).length - 1, 1, `"${name}" once in: ${r.error.message}`);
    }
  });

  test('progress from URLs counts response bytes with their Content-Length', TIMEOUT, async () => {
    const files = { 'p.sfz': '<region> sample=a.wav amp_veltrack=0\n', 'a.wav': wav16(new Array(RATE).fill(0.25), RATE) };
    const dir = writeFixtures('progress-url', files);
    const r = await render({ url: `/@fs${dir}p.sfz`, events: [[0, 'on', 60, 100]] });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    const total = Object.values(files).reduce((n, d) => n + Buffer.byteLength(d), 0);
    assert.deepEqual(r.progress.at(-1), { phase: 'transfer', loadedBytes: total, totalBytes: total, loadedSamples: 1, totalSamples: 1, loaded: 1, total: 1 });
    assert.ok(Math.abs(level(r.out, 4800) - 0.25) < 2e-3);
    assert.deepEqual(page.errors, []);
  });
});
