// The demo page as a user meets it, in headless Chromium against the
// project's Vite server: what it renders (measured in screenshots), playing
// it with the mouse, touch and computer keys (measured in its audio), MIDI
// devices coming and going, loading files, settings surviving a reload, and
// the messages for what the browser does not allow.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './helpers/browser.js';
import { startDevServer, startServerWithoutIsolation } from './helpers/server.js';
import { wav16, writeFixtures } from './helpers/fixtures.js';
import { pitchOf } from './helpers/measure.js';
import { openPage, startAudio, level, recent, waitForSilence, SILENT, pixelStats, keyPoint, isLit, peakOfNote, levelWhileHeld } from './helpers/page-driver.js';
import { filesFromDrop, filesFromInput, describeEntries } from '../www/dropped-files.js';

const TIMEOUT = { timeout: 120_000 };
const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const SHOTS = fileURLToPath(new URL('../test-results/', import.meta.url));
const CONTROLS = ['#start', '#midi-input', '#midi-channel', '#instrument-select', '#instrument-files', '#instrument-folder',
  '#latency-mode', '#set-volume', '#set-polyphony', '#set-interpolation', '#set-velocity-curve', '#set-transpose', '#set-bend-range', '#forget'];

let browser;
let server;

/**
 * Dropdowns whose widest option's text (measured in the dropdown's font,
 * plus 24 px for the arrow) is wider than the dropdown: shown cut off.
 */
function cutOffDropdowns(page) {
  return page.evaluate(() => [...document.querySelectorAll('select')].filter((s) => s.offsetParent).flatMap((select) => {
    const g = document.createElement('canvas').getContext('2d');
    g.font = getComputedStyle(select).font;
    const widest = Math.max(...[...select.options].map((o) => g.measureText(o.textContent).width));
    return widest + 24 > select.clientWidth ? [`${select.id}: ${Math.ceil(widest)} px of text in ${select.clientWidth} px`] : [];
  }));
}

before(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startDevServer()]);
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('what the page renders', () => {
  test('desktop: a keyboard of white and black keys, every control visible and labelled, focus visible', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url);
    await page.screenshot({ path: `${SHOTS}page-desktop.png`, fullPage: true });
    const keys = await pixelStats(page, await page.locator('#keyboard').screenshot());
    assert.ok(keys.white > 0.35 && keys.black > 0.15, `keyboard pixels: ${JSON.stringify(keys)}`);
    assert.equal(keys.blue, 0, 'no key lit before playing');
    for (const selector of CONTROLS) {
      const box = await page.locator(selector).boundingBox();
      assert.ok(box && box.width > 0 && box.height > 0, `${selector} has a box`);
      const name = await page.locator(selector).evaluate((el) => (el.labels?.[0]?.textContent || el.getAttribute('aria-label') || el.textContent || '').trim());
      assert.ok(name.length > 1, `${selector} is labelled`);
    }
    assert.deepEqual(await cutOffDropdowns(page), [], 'every option fits its dropdown at 1280 px');
    // Keyboard navigation: Tab reaches "Start audio" first, with a visible outline.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'start');
    assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'solid');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('phone width (375 px): nothing overflows, the keyboard scrolls sideways and still shows its keys', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url, { viewport: { width: 375, height: 740 } });
    await startAudio(page);
    await page.screenshot({ path: `${SHOTS}page-375.png`, fullPage: true });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 375, 'no horizontal page scroll');
    const scroller = await page.evaluate(() => {
      const s = document.querySelector('.keyboard-scroll');
      return { scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, scrollLeft: s.scrollLeft };
    });
    assert.ok(scroller.scrollWidth > 2 * scroller.clientWidth, `the keyboard scrolls: ${JSON.stringify(scroller)}`);
    assert.ok(scroller.scrollLeft > 0, 'scrolled towards middle C');
    for (const selector of CONTROLS) {
      const box = await page.locator(selector).boundingBox();
      assert.ok(box.width > 0 && box.x >= 0 && box.x + box.width <= 375, `${selector} fits: ${JSON.stringify(box)}`);
    }
    const keys = await pixelStats(page, await page.locator('.keyboard-scroll').screenshot());
    assert.ok(keys.white > 0.3 && keys.black > 0.15, `keyboard pixels at 375 px: ${JSON.stringify(keys)}`);
    assert.deepEqual(await cutOffDropdowns(page), [], 'every option fits its dropdown at 375 px');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('playing the on-screen and computer keyboards', () => {
  let page;
  let errors;
  before(async () => {
    ({ page, errors } = await openPage(browser, server.url));
    await startAudio(page, { full: true });
  });
  after(() => page?.close());

  test('clicking a key sounds it at its pitch and lights it in the screenshot', TIMEOUT, async () => {
    assert.ok((await waitForSilence(page)) < SILENT);
    const { x, y } = await keyPoint(page, 69, 0.8);
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.waitForTimeout(300);
    const { samples, rate } = await recent(page);
    const rms = Math.sqrt(samples.reduce((s, v) => s + v * v, 0) / samples.length);
    assert.ok(rms > 1e-3, `A4 sounds (rms ${rms})`);
    const pitch = pitchOf(samples, rate);
    assert.ok(Math.abs(1200 * Math.log2(pitch / 440)) < 30, `A4 at ${pitch.toFixed(1)} Hz`);
    const lit = await pixelStats(page, await page.locator('.key[data-note="69"]').screenshot());
    assert.ok(lit.blue > 0.5, `key lit blue: ${JSON.stringify(lit)}`);
    await page.mouse.up();
    assert.equal(await isLit(page, 69), false);
    assert.ok((await waitForSilence(page)) < SILENT, 'silent after release');
    assert.deepEqual(errors, []);
  });

  test('a lower click on the key is louder', TIMEOUT, async () => {
    const loudness = async (depth) => {
      assert.ok((await waitForSilence(page)) < SILENT);
      return levelWhileHeld(page, 64, { depth, ms: 250, frames: 8192 });
    };
    const soft = await loudness(0.1);
    const loud = await loudness(0.92);
    console.log(`# click near the top: rms ${soft.toFixed(4)}; near the bottom: ${loud.toFixed(4)}`);
    assert.ok(soft > SILENT * 10, `soft click still sounds (${soft})`);
    assert.ok(loud > 3 * soft, `lower is louder: ${loud} vs ${soft}`);
  });

  test('touch: two fingers play a chord, lifting them stops it', TIMEOUT, async () => {
    assert.ok((await waitForSilence(page)) < SILENT);
    const cdp = await page.context().newCDPSession(page);
    const c = await keyPoint(page, 60, 0.8);
    const g = await keyPoint(page, 67, 0.8);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: c.x, y: c.y, id: 1 }] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: c.x, y: c.y, id: 1 }, { x: g.x, y: g.y, id: 2 }] });
    await page.waitForTimeout(300);
    assert.equal(await isLit(page, 60), true);
    assert.equal(await isLit(page, 67), true);
    assert.ok((await level(page)) > 1e-3, 'the chord sounds');
    await page.waitForFunction(() => window.__samplerPage.sampler.stats().activeVoices >= 2);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.waitForFunction(() => !document.querySelector('.key.down'));
    assert.ok((await waitForSilence(page)) < SILENT, 'silent after lifting');
    await cdp.detach();
  });

  test('computer keys as in a DAW: A-row white keys, W-row black keys, Z/X the octave; H plays A4, space sustains it', TIMEOUT, async () => {
    await page.focus('#keyboard');
    // The layout, key by key (by physical position): A is C4, W C#4, K C5.
    const lit = async (key) => {
      await page.keyboard.down(key);
      const note = await page.evaluate(() => Number(document.querySelector('.key.down')?.dataset.note ?? -1));
      await page.keyboard.up(key);
      await page.waitForFunction(() => !document.querySelector('.key.down'));
      return note;
    };
    const played = {};
    for (const key of ['a', 'w', 's', 'e', 'd', 'f', 't', 'g', 'y', 'h', 'u', 'j', 'k', 'o', 'l', 'p', ';', "'"]) played[key] = await lit(key);
    assert.deepEqual(Object.values(played), Array.from({ length: 18 }, (_, i) => 60 + i), `notes: ${JSON.stringify(played)}`);
    assert.match(await page.textContent('#octave'), /C4–F5/);
    // The page says the same as the README.
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    assert.match(readme.replace(/\s+/g, ' '), /computer keys `A S D F G H J K` \(white\), `W E T Y U` \(black\), `Z`\/`X` an octave down\/up/);
    assert.match(await page.textContent('.keyboard-bar'), /A S D F G H J K.*white.*W E T Y U.*black.*Z.*X.*octave/);
    // Without the pedal: released, silent within the release time.
    assert.ok((await waitForSilence(page)) < SILENT);
    await page.keyboard.down('h');
    await page.waitForTimeout(300);
    assert.equal(await isLit(page, 69), true);
    const held = await level(page);
    await page.keyboard.up('h');
    await page.waitForTimeout(800);
    const unsustained = await level(page);
    // Held down as long: the level a sustained note should have (the
    // piano's own decay).
    assert.ok((await waitForSilence(page)) < SILENT);
    await page.keyboard.down('h');
    await page.waitForTimeout(1100);
    const heldLong = await level(page);
    await page.keyboard.up('h');
    // With the pedal down before the key comes up, the note rings on.
    assert.ok((await waitForSilence(page)) < SILENT);
    await page.keyboard.down('h');
    await page.waitForTimeout(300);
    await page.keyboard.down(' ');
    assert.equal(await page.evaluate(() => document.getElementById('sustain').classList.contains('on')), true);
    await page.keyboard.up('h');
    await page.waitForTimeout(800);
    const sustained = await level(page);
    console.log(`# A4 held ${held.toFixed(4)}; 0.8 s after the key is up: ${unsustained.toExponential(2)} without, ${sustained.toFixed(4)} with the pedal, ${heldLong.toFixed(4)} still held`);
    assert.ok(held > 1e-3 && unsustained < SILENT, `released note stops: ${unsustained}`);
    assert.ok(sustained > 3 * SILENT && sustained > heldLong / 2, `sustained note rings on like a held one: ${sustained} vs ${heldLong}`);
    await page.keyboard.up(' ');
    assert.ok((await waitForSilence(page)) < SILENT, 'pedal up: silent');
    // X moves the keys up an octave (H is A5), Z down again; neither plays.
    await page.keyboard.press('x');
    assert.match(await page.textContent('#octave'), /C5–F6/);
    assert.equal(await page.locator('.key.down').count(), 0, 'X plays no note');
    await page.keyboard.down('h');
    await page.waitForFunction(() => document.querySelector('.key[data-note="81"]').classList.contains('down'));
    await page.keyboard.up('h');
    await page.keyboard.press('z');
    assert.match(await page.textContent('#octave'), /C4–F5/);
    assert.deepEqual(errors, []);
  });

  test('the computer keys keep playing after a dropdown or the volume slider took focus, but not while typing in a number field', TIMEOUT, async () => {
    const pedal = () => page.evaluate(() => document.getElementById('sustain').classList.contains('on'));
    // Chosen from a dropdown: focus stays on it; H still plays A4, and S
    // (the first letter of "Soft") does not choose another option.
    await page.focus('#set-velocity-curve');
    await page.selectOption('#set-velocity-curve', 'linear');
    for (const key of ['h', 's']) {
      await page.keyboard.down(key);
      assert.equal(await page.evaluate(() => document.querySelectorAll('.key.down').length), 1, `${key} plays from the dropdown`);
      await page.keyboard.up(key);
    }
    assert.equal(await page.inputValue('#set-velocity-curve'), 'linear', 'the letters did not pick an option');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'set-velocity-curve');
    // Space on the volume slider is the pedal.
    await page.focus('#set-volume');
    await page.keyboard.down(' ');
    assert.equal(await pedal(), true, 'Space sustains with the slider focused');
    await page.keyboard.up(' ');
    assert.equal(await pedal(), false);
    // Typing in the transpose field types; it plays nothing.
    await page.focus('#set-transpose');
    await page.keyboard.down('h');
    assert.equal(await page.locator('.key.down').count(), 0, 'no note while typing in a number field');
    await page.keyboard.up('h');
    assert.deepEqual(errors, []);
  });

  test('a suspended AudioContext is explained, and "Resume audio" brings the sound back', TIMEOUT, async () => {
    await page.evaluate(() => window.__samplerPage.context.suspend());
    await page.waitForSelector('#suspended-warning', { state: 'visible' });
    assert.match(await page.textContent('#suspended-warning'), /suspended audio.*Resume audio/);
    await page.click('#resume');
    await page.waitForSelector('#suspended-warning', { state: 'hidden' });
    const { x, y } = await keyPoint(page, 69, 0.8);
    await page.mouse.click(x, y, { delay: 300 });
    assert.ok((await level(page)) > 1e-4, 'sound again after resuming');
  });

  test('the meters show level, voices and latency, and DSP load says how it is measured', TIMEOUT, async () => {
    const { x, y } = await keyPoint(page, 60, 0.8);
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.waitForFunction(() => /peak -?\d+\.\d dBFS, RMS -?\d+\.\d dBFS/.test(document.getElementById('stat-level').textContent));
    await page.waitForFunction(() => Number(document.getElementById('stat-voices').textContent) >= 1);
    await page.mouse.up();
    assert.match(await page.textContent('#latency'), /latency: \d+\.\d ms \(constant\)/);
    assert.match(await page.textContent('#latency-detail'), /base latency \d+\.\d ms/);
    assert.match(await page.getAttribute('#stat-dsp', 'title'), /render time measured in the worklet \(performance.now, or Temporal.Now on a random sample of quanta\), over about 1 s/);
    const dsp = await page.textContent('#stat-dsp');
    const reported = await page.evaluate(() => typeof window.__samplerPage.sampler.stats().dspLoad === 'number');
    assert.match(dsp, reported ? /^\d+\.\d %$/ : /^n\/a$/);
    await page.selectOption('#latency-mode', 'lowest');
    assert.match(await page.textContent('#latency'), /lowest/);
    assert.equal(await page.evaluate(() => window.__samplerPage.sampler.latencyMode), 'lowest');
    await page.selectOption('#latency-mode', 'constant');
  });
});

describe("the piano's first step (www/quick-piano.js)", () => {
  test('each sample, cut to its first bytes, outlasts the fade; a chord of every sample is silent from the fade on, before any cut', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url);
    const r = await page.evaluate(async (api) => {
      const { quickPianoFiles, quickSamples, FADED_BY } = await import('/quick-piano.js');
      const { createSampler } = await import(api);
      const files = await quickPianoFiles('/instruments/salamander-grand.sfz');
      const decoder = new OfflineAudioContext(1, 1, 44100);
      let shortest = Infinity;
      for (const { file } of files.slice(1)) shortest = Math.min(shortest, (await decoder.decodeAudioData(await file.arrayBuffer())).duration);
      // Every sample's root key held at once, past the fade.
      const rate = 48000;
      const ctx = new OfflineAudioContext(1, Math.round(rate * (FADED_BY + 0.5)), rate);
      const sampler = await createSampler(ctx);
      sampler.node.connect(ctx.destination);
      const loaded = await sampler.loadInstrument(files);
      for (const { root } of quickSamples('/instruments/salamander-grand.sfz')) sampler.noteOn(root, 100, { time: 0 });
      const out = (await ctx.startRendering()).getChannelData(0);
      const peak = (from, to) => out.subarray(Math.round(from * rate), Math.round(to * rate)).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      return { FADED_BY, shortest, regions: loaded.regions, samples: loaded.samples, early: peak(0, 1), late: peak(FADED_BY + 0.01, FADED_BY + 0.5) };
    }, `/@fs${ROOT}/web/index.js`);
    console.log(`# first step: ${r.regions} regions; shortest cut sample ${r.shortest.toFixed(2)} s, silent by ${r.FADED_BY} s; chord peak ${r.early.toFixed(3)} in its first second, ${r.late.toExponential(1)} after the fade`);
    assert.equal(r.regions, 30);
    assert.equal(r.samples, 30);
    assert.ok(r.shortest > r.FADED_BY + 0.2, `the shortest cut sample (${r.shortest.toFixed(2)} s) outlasts the fade (${r.FADED_BY} s)`);
    assert.ok(r.early > 0.05, `the chord sounds (peak ${r.early})`);
    assert.ok(r.late < 1e-5, `silent after the fade (peak ${r.late})`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('when the audio engine fails', () => {
  const engineNotice = (page) => page.textContent('#engine-warning-text');
  /** A MIDI note-on, then the analyser 0.35 s (context time) later: the peak since the note and the pitch. */
  const midiNote = async (page, note) => {
    const { samples, rate, peak } = await page.evaluate(async (n) => {
      const { context, analyser } = window.__samplerPage;
      const at = context.currentTime;
      window.__fakeMidi.play([0x90, n, 110]);
      while (context.currentTime < at + 0.35) await new Promise((r) => setTimeout(r, 20));
      const buf = new Float32Array(analyser.fftSize);
      analyser.getFloatTimeDomainData(buf);
      window.__fakeMidi.play([0x80, n, 0]);
      return { samples: Array.from(buf.subarray(buf.length - 8192)), rate: context.sampleRate, peak: buf.reduce((m, x) => Math.max(m, Math.abs(x)), 0) };
    }, note);
    return { peak, pitch: pitchOf(samples, rate) };
  };

  test('a trap is shown and the page recovers by itself, with its piano, settings and MIDI; past the limit it offers a restart', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url, { samplerOptions: { _testTraps: true } });
    await startAudio(page);
    // Transpose up an octave from the page's control: A3 then plays A4.
    await page.fill('#set-transpose', '12');
    await page.dispatchEvent('#set-transpose', 'change');
    await page.waitForFunction(() => document.getElementById('midi-input').options.length === 2);
    const before = await midiNote(page, 57);
    // The engine traps while the rest of the piano is still loading.
    await page.evaluate(() => window.__samplerPage.sampler._forceTrapForTest());
    await page.waitForFunction(() => /The audio engine stopped \(unreachable\)\. Restarting it/.test(document.getElementById('engine-warning-text').textContent));
    assert.equal(await page.isVisible('#engine-warning'), true);
    assert.equal(await page.isVisible('#restart-engine'), false);
    await page.waitForFunction(() => /restarted by itself in \d+\.\d s, with .* and your settings/.test(document.getElementById('engine-warning-text').textContent), null, { timeout: 60_000 });
    // The interrupted load of the whole piano finishes after the restart.
    await page.waitForFunction(() => window.__samplerPage.fullyLoaded, null, { timeout: 90_000 });
    assert.match(await page.textContent('#status'), /Ready: piano with 208 regions/);
    const after = await midiNote(page, 57);
    console.log(`# page recovery: A3 + 12 st by MIDI ${before.pitch.toFixed(1)} Hz (peak ${before.peak.toFixed(4)}) before the trap, ${after.pitch.toFixed(1)} Hz (peak ${after.peak.toFixed(4)}) after (${await engineNotice(page)})`);
    for (const m of [before, after]) {
      assert.ok(m.peak > 0.01, `sounds (peak ${m.peak})`);
      assert.ok(Math.abs(1200 * Math.log2(m.pitch / 440)) < 30, `A3 transposed to A4: ${m.pitch.toFixed(1)} Hz`);
    }
    const log = await page.evaluate(() => window.__samplerPage.engineLog.map((e) => `${e.state}${e.autoRestart === false ? ' (no restart)' : ''}`));
    assert.deepEqual(log.slice(-3), ['failed', 'restarting', 'running']);

    // Failing again each time it restarts (while it restores the piano):
    // after three automatic restarts in a minute, the page offers the
    // button instead.
    for (let gaveUp = false, round = 0; !gaveUp; round++) {
      assert.ok(round < 10, 'the page keeps restarting');
      await page.waitForFunction(() => ['running', 'restarting'].includes(window.__samplerPage.sampler.state));
      await page.evaluate(() => window.__samplerPage.sampler._forceTrapForTest());
      await page.waitForFunction(() => window.__samplerPage.sampler.state === 'failed');
      gaveUp = await page.evaluate(() => window.__samplerPage.engineLog.at(-1).autoRestart === false);
    }
    // Failures answered by an automatic restart in the minute before the
    // last one (how many rounds that took depends on how fast the piano
    // loaded).
    const automatic = await page.evaluate(() => {
      const log = window.__samplerPage.engineLog;
      return log.filter((e) => e.state === 'failed' && e.autoRestart && e.at > log.at(-1).at - 60_000).length;
    });
    assert.equal(automatic, 3);
    await page.waitForSelector('#restart-engine', { state: 'visible' });
    assert.match(await engineNotice(page), /stopped again \(unreachable\) and will not restart by itself/);
    assert.match(await page.textContent('#status'), /Press “Restart audio engine”/);
    await page.click('#restart-engine');
    await page.waitForFunction(() => /was restarted in \d+\.\d s/.test(document.getElementById('engine-warning-text').textContent), null, { timeout: 90_000 });
    assert.match(await page.textContent('#status'), /Recovered: the audio engine was restarted/);
    assert.equal(await page.isVisible('#restart-engine'), false);
    const again = await midiNote(page, 57);
    assert.ok(again.peak > 0.01 && Math.abs(1200 * Math.log2(again.pitch / 440)) < 30, `after the button: ${again.pitch.toFixed(1)} Hz, peak ${again.peak}`);
    await page.screenshot({ path: `${SHOTS}page-engine-recovered.png` });
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('MIDI devices', () => {
  const playAndCount = async (page, bytes, id) => {
    const before = await page.evaluate(() => window.__samplerPage.sampler.stats().received);
    await page.evaluate(([b, i]) => window.__fakeMidi.play(b, i), [bytes, id]);
    await page.waitForTimeout(150); // a few quanta: the worklet publishes its count
    return (await page.evaluate(() => window.__samplerPage.sampler.stats().received)) - before;
  };

  test('hot-plug appears in the picker with its own light; the choice is remembered across a reload', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url, { midi: { devices: [{ id: 'a', name: 'Keys A' }] } });
    await startAudio(page);
    await page.waitForFunction(() => document.querySelector('#midi-input').options.length === 2);
    await page.evaluate(() => window.__fakeMidi.plug({ id: 'b', name: 'Pads B' }));
    await page.waitForFunction(() => document.querySelector('#midi-input').options.length === 3);
    assert.equal(await page.locator('#midi-devices .light').count(), 2);
    // All inputs: both are heard.
    assert.equal(await playAndCount(page, [0x90, 60, 100], 'a'), 1);
    assert.equal(await playAndCount(page, [0x80, 60, 0], 'b'), 1);
    // Only B: A's notes do not reach the sampler, B's do and light B's light and the key.
    await page.selectOption('#midi-input', 'b');
    assert.equal(await playAndCount(page, [0x90, 62, 100], 'a'), 0);
    assert.equal(await isLit(page, 62), false);
    await page.evaluate(() => window.__fakeMidi.play([0x90, 64, 100], 'b'));
    assert.equal(await page.evaluate(() => document.querySelector('#midi-devices .light[data-input="b"]').classList.contains('on')), true);
    assert.equal(await isLit(page, 64), true);
    await page.evaluate(() => window.__fakeMidi.play([0x80, 64, 0], 'b'));
    // Unplugged: the choice stays, marked as not connected.
    await page.evaluate(() => window.__fakeMidi.unplug('b'));
    await page.waitForFunction(() => /Pads B \(not connected\)/.test(document.querySelector('#midi-input').selectedOptions[0].textContent));
    assert.equal(await page.locator('#midi-devices .light').count(), 1);
    // Plugged back in: heard again without choosing it again.
    await page.evaluate(() => window.__fakeMidi.plug({ id: 'b', name: 'Pads B' }));
    assert.equal(await playAndCount(page, [0x90, 65, 100], 'b'), 1);
    await page.evaluate(() => window.__fakeMidi.play([0x80, 65, 0], 'b'));
    // A reload (the init script plugs only A): B is still the choice.
    await page.reload();
    await startAudio(page);
    await page.waitForFunction(() => document.querySelector('#midi-input').value === 'b');
    assert.equal(await playAndCount(page, [0x90, 60, 100], 'a'), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the channel filter keeps one channel: others neither sound nor light', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url);
    await startAudio(page, { full: true }); // levels measured while loading vary too much
    await page.waitForFunction(() => !document.querySelector('#midi-channel').disabled);
    await page.selectOption('#midi-channel', '2');
    await waitForSilence(page);
    assert.equal(await playAndCount(page, [0x90, 69, 110]), 0, 'channel 1 filtered out');
    assert.equal(await isLit(page, 69), false);
    await page.waitForTimeout(200);
    assert.ok((await level(page)) < SILENT, 'and silent');
    assert.equal(await playAndCount(page, [0x91, 69, 110]), 1, 'channel 2 passes');
    assert.equal(await isLit(page, 69), true);
    await page.waitForTimeout(200);
    assert.ok((await level(page)) > 1e-3, 'and sounds');
    await page.evaluate(() => window.__fakeMidi.play([0x81, 69, 0]));
    assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('sampler-page:settings')).midiChannel), '2');
    assert.deepEqual(errors, []);
    await page.close();
  });

  for (const [mode, expected] of [['absent', /no Web MIDI.*on-screen or computer keyboard/], ['denied', /MIDI access was refused.*Allow MIDI/]]) {
    test(`Web MIDI ${mode}: the page says what to do and the on-screen keyboard still plays`, TIMEOUT, async () => {
      const { page, errors } = await openPage(browser, server.url, { midi: { mode } });
      await startAudio(page);
      await page.waitForSelector('#midi-message', { state: 'visible' });
      assert.match(await page.textContent('#midi-message'), expected);
      assert.ok((await levelWhileHeld(page, 69)) > 3 * SILENT, 'the on-screen keyboard sounds');
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});

describe('instruments from files', () => {
  const rate = 48000;
  const sine = (hz, seconds) => Array.from({ length: rate * seconds }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rate));
  let dir;
  before(() => {
    dir = writeFixtures('page', {
      'tone.wav': wav16(sine(440, 2), rate),
      'notes.txt': 'not an instrument',
      'broken.wav': Buffer.from('RIFF....WAVEfmt garbage that is not audio'),
      'empty.sfz': '',
    });
  });

  /** The pitch the page plays for `note`. */
  const pitchPlayed = async (page, note) => {
    await waitForSilence(page);
    await page.evaluate((n) => window.__samplerPage.sampler.noteOn(n, 100), note);
    // Sounding for a whole 16384-frame window, however slow the machine is today.
    for (let waited = 0; waited < 3000 && (await level(page, 256)) < 10 * SILENT; waited += 50) await page.waitForTimeout(50);
    await page.waitForTimeout(400);
    const { samples, rate: r } = await recent(page);
    await page.evaluate((n) => window.__samplerPage.sampler.noteOff(n), note);
    return pitchOf(samples, r, 200, 1000);
  };

  test('an audio file picked, restored after a reload from IndexedDB, then forgotten; clear errors for wrong files', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url);
    await startAudio(page);
    await page.setInputFiles('#instrument-files', `${dir}tone.wav`);
    await page.waitForFunction(() => window.__samplerPage.instrument?.name === 'tone', null, { timeout: 60_000 });
    assert.match(await page.textContent('#load-text'), /tone: 1 region/);
    assert.equal(await page.inputValue('#instrument-select'), 'user');
    // One sample across the keyboard from C4: C4 plays it as recorded.
    const played = await pitchPlayed(page, 60);
    assert.ok(Math.abs(1200 * Math.log2(played / 440)) < 5, `tone.wav at C4: ${played.toFixed(1)} Hz`);
    // Wrong files: the message says what to pick, and the instrument stays.
    await page.setInputFiles('#instrument-files', `${dir}notes.txt`);
    await page.waitForSelector('#instrument-error', { state: 'visible' });
    assert.match(await page.textContent('#instrument-error'), /No instrument in notes\.txt: pick an \.sfz file together with its samples/);
    await page.setInputFiles('#instrument-files', `${dir}broken.wav`);
    await page.waitForFunction(() => /Could not load broken\.wav: /.test(document.getElementById('instrument-error').textContent));
    const broken = await page.textContent('#instrument-error');
    assert.match(broken, /^Could not load broken\.wav: not audio the browser can decode/);
    assert.equal(broken.split('broken.wav').length - 1, 1, `the file named once: ${broken}`);
    // An empty SFZ: said so, not "pick the whole folder".
    await page.setInputFiles('#instrument-files', `${dir}empty.sfz`);
    await page.waitForFunction(() => /Could not load empty\.sfz: /.test(document.getElementById('instrument-error').textContent));
    const empty = await page.textContent('#instrument-error');
    assert.match(empty, /^Could not load empty\.sfz: no <region> found\. .*no sounds/);
    assert.doesNotMatch(empty, /folder/);
    const still = await pitchPlayed(page, 60);
    assert.ok(Math.abs(1200 * Math.log2(still / 440)) < 5, `tone.wav still plays: ${still.toFixed(1)} Hz, ${await page.textContent('#load-text')}`);
    // A reload restores it instead of the full piano.
    await page.waitForTimeout(500); // the save to IndexedDB follows the load
    await page.reload();
    await startAudio(page);
    await page.waitForFunction(() => window.__samplerPage.fullyLoaded, null, { timeout: 60_000 });
    assert.match(await page.textContent('#status'), /restored your instrument tone/);
    const restored = await pitchPlayed(page, 60);
    assert.ok(Math.abs(1200 * Math.log2(restored / 440)) < 5, `restored tone.wav at C4: ${restored.toFixed(1)} Hz`);
    // Forgotten: the next visit is the piano again (its C4, not 440 Hz).
    await page.click('#forget');
    await page.waitForFunction(() => /Forgotten/.test(document.getElementById('forget-done').textContent));
    await page.reload();
    await startAudio(page);
    const piano = await pitchPlayed(page, 60);
    assert.ok(Math.abs(1200 * Math.log2(piano / 261.63)) < 30, `piano C4 again: ${piano.toFixed(1)} Hz`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a file dropped on the page loads', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url);
    await startAudio(page);
    await page.evaluate(async (url) => {
      const file = new File([await (await fetch(url)).blob()], 'dropped.wav', { type: 'audio/wav' });
      const data = new DataTransfer();
      data.items.add(file);
      document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, bubbles: true }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, `/@fs${dir}tone.wav`);
    await page.waitForFunction(() => window.__samplerPage.instrument?.name === 'dropped', null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.getElementById('drop-zone').classList.contains('dragging')), false);
    const played = await pitchPlayed(page, 72);
    assert.ok(Math.abs(1200 * Math.log2(played / 880)) < 5, `dropped.wav an octave up: ${played.toFixed(1)} Hz`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a SoundFont shows its program list and a program change reloads it', TIMEOUT, async (t) => {
    const font = '/usr/share/sounds/sf2/TimGM6mb.sf2';
    if (!existsSync(font)) return t.skip('no TimGM6mb.sf2 (installed by web/scripts/setup.sh --test)');
    const { page } = await openPage(browser, server.url);
    await startAudio(page);
    await page.setInputFiles('#instrument-files', font);
    await page.waitForFunction(() => window.__samplerPage.instrument?.builtIn === false || !document.getElementById('instrument-error').hidden, null, { timeout: 90_000 });
    const error = await page.evaluate(() => document.getElementById('instrument-error').hidden ? null : document.getElementById('instrument-error').textContent);
    assert.equal(error, null);
    await page.waitForSelector('#preset-row', { state: 'visible' });
    assert.ok((await page.locator('#preset-select option').count()) > 100, 'a GM bank lists its programs');
    const first = await page.evaluate(() => window.__samplerPage.instrument);
    await page.selectOption('#preset-select', '0:40'); // Violin
    await page.waitForFunction(() => window.__samplerPage.instrument?.preset?.program === 40, null, { timeout: 60_000 });
    assert.notEqual(first.preset?.program, 40);
    await page.close();
  });
});

describe('settings and robustness', () => {
  test('volume, timing mode and MIDI channel survive a reload; the volume is heard', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url);
    await startAudio(page, { full: true });
    const before = await peakOfNote(page, 69);
    // Half the gain, by keyboard: 25 steps of 0.01 down from 0.5.
    await page.focus('#set-volume');
    for (let i = 0; i < 25; i++) await page.keyboard.press('ArrowLeft');
    assert.equal(await page.inputValue('#set-volume'), '0.25');
    assert.match(await page.textContent('output[for="set-volume"]'), /-12\.0 dB/);
    await page.selectOption('#latency-mode', 'lowest');
    await page.selectOption('#midi-channel', '3');
    const disabled = await page.$$eval('.panel [disabled]', (els) => els.filter((e) => e.id.startsWith('set-')).map((e) => [e.id, e.title]));
    for (const [id, title] of disabled) assert.match(title, /Not available: this engine build has no set\w+\(\)/, id);
    await page.reload();
    assert.equal(await page.inputValue('#set-volume'), '0.25');
    assert.equal(await page.inputValue('#latency-mode'), 'lowest');
    await startAudio(page, { full: true });
    assert.equal(await page.evaluate(() => window.__samplerPage.sampler.latencyMode), 'lowest');
    await page.waitForFunction(() => document.getElementById('midi-channel').value === '3');
    const after = await peakOfNote(page, 69);
    console.log(`# A4 peak at volume 0.5: ${before.toFixed(4)}, after the reload at 0.25: ${after.toFixed(4)}`);
    assert.ok(Math.abs(after / before - 0.5) < 0.05, `half the level after the reload: ${after} / ${before}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a transpose out of range is set to the nearest allowed value, said so, and played at that', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url);
    await startAudio(page);
    await page.fill('#set-transpose', '40');
    await page.dispatchEvent('#set-transpose', 'change');
    assert.equal(await page.inputValue('#set-transpose'), '24', 'the box shows what plays');
    assert.match(await page.textContent('output[for="set-transpose"]'), /^\+24 st: 40 is outside −24…\+24$/);
    // A2 two octaves up is A4.
    await waitForSilence(page);
    await page.evaluate(() => window.__samplerPage.sampler.noteOn(45, 100));
    await page.waitForTimeout(400);
    const { samples, rate } = await recent(page);
    await page.evaluate(() => window.__samplerPage.sampler.noteOff(45));
    const hz = pitchOf(samples, rate);
    assert.ok(Math.abs(1200 * Math.log2(hz / 440)) < 30, `A2 + 24 st plays A4: ${hz.toFixed(1)} Hz`);
    // Not a number: the last value stays, and the box shows it.
    await page.fill('#set-transpose', '');
    await page.dispatchEvent('#set-transpose', 'change');
    assert.equal(await page.inputValue('#set-transpose'), '24');
    assert.match(await page.textContent('output[for="set-transpose"]'), /^\+24 st: not a number, kept$/);
    // A valid value clears the note.
    await page.fill('#set-transpose', '-3');
    await page.dispatchEvent('#set-transpose', 'change');
    assert.equal(await page.textContent('output[for="set-transpose"]'), '-3 st');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a default piano that cannot load leaves the page as before “Start audio”, saying why; starting again plays', TIMEOUT, async () => {
    const { page, errors } = await openPage(browser, server.url);
    // A static host that answers one sample with its HTML page (as `vite
    // preview` once did for names with '#').
    const sample = '**/samples/piano-mp3-velocity8/A4v8.mp3';
    await page.route(sample, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Sampler</title>' }));
    await page.reload(); // the page fetches the piano's first step as it opens
    await page.click('#start');
    assert.equal(await page.evaluate(() => window.__samplerPage.ready.then(() => 'started', (e) => e.code)), 'instrument');
    assert.match(await page.textContent('#status'), /^Could not load the piano: .*A4v8\.mp3: not audio .*Press “Start audio” to try again\.$/);
    assert.equal(await page.isVisible('#load-progress'), false, 'no progress bar left standing');
    assert.equal(await page.textContent('#load-text'), '');
    for (const id of ['#instrument-select', '#instrument-files', '#instrument-folder', '#midi-input']) assert.equal(await page.isDisabled(id), true, `${id} disabled`);
    assert.equal(await page.isDisabled('#start'), false);
    assert.equal(await page.textContent('#start'), 'Start audio');
    assert.equal(await page.evaluate(() => window.__samplerPage.sampler), null, 'no half-started sampler left');
    await page.unroute(sample);
    await startAudio(page);
    assert.ok((await levelWhileHeld(page, 69)) > 3 * SILENT, 'the piano plays after starting again');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('without cross-origin isolation the page explains what to do and what is true of the postMessage fallback, and plays with it', TIMEOUT, async () => {
    const plain = await startServerWithoutIsolation();
    try {
      const page = await browser.context.newPage();
      await page.goto(plain.url);
      assert.equal(await page.evaluate(() => crossOriginIsolated), false);
      assert.equal(await page.isVisible('#isolation-warning'), true);
      const banner = await page.textContent('#isolation-warning');
      assert.match(banner, /Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
      assert.match(banner, /events must reach the sampler by postMessage.*late ones play at the next 128-frame block/);
      assert.doesNotMatch(banner, /if this version/, 'no hedging: the engine has the fallback');
      await page.click('#start');
      const outcome = await page.evaluate(() => window.__samplerPage.ready.then(() => 'started', (e) => e.code));
      assert.equal(outcome, 'started');
      assert.equal(await page.evaluate(() => window.__samplerPage.sampler.transport), 'message');
      assert.match(await page.textContent('#transport-warning'), /play exactly on them when they arrive in time; one that arrives late plays at the next 128-frame block/);
      // The Timing dropdown says what its modes do here.
      const timing = await page.$$eval('#latency-mode option', (options) => options.map((o) => o.textContent));
      assert.deepEqual(timing, ['Constant latency (exact unless late)', 'Lowest latency (next audio block)']);
      assert.ok((await levelWhileHeld(page, 69)) > 3 * SILENT, 'the fallback sounds');
      await page.close();
    } finally {
      await plain.close();
    }
  });
});

describe('files from a drop or a picker (unit)', () => {
  const fileEntry = (fullPath) => ({ isFile: true, isDirectory: false, fullPath, file: (ok) => ok(new File(['x'], fullPath.split('/').pop())) });
  const dirEntry = (fullPath, children) => ({
    isFile: false,
    isDirectory: true,
    fullPath,
    createReader() {
      const batches = [children.slice(0, 2), children.slice(2)]; // like Chromium's batches of 100
      return { readEntries: (ok) => ok(batches.shift() ?? []) };
    },
  });

  test('dropped folders are walked into { file, path } entries, hidden files left out', async () => {
    const folder = dirEntry('/Piano', [
      fileEntry('/Piano/piano.sfz'),
      fileEntry('/Piano/.DS_Store'),
      dirEntry('/Piano/samples', [fileEntry('/Piano/samples/b.wav'), fileEntry('/Piano/samples/a.wav'), fileEntry('/Piano/samples/c.wav')]),
    ]);
    const transfer = { items: [{ kind: 'file', webkitGetAsEntry: () => folder }, { kind: 'file', webkitGetAsEntry: () => fileEntry('/extra.wav') }], files: [] };
    const entries = await filesFromDrop(transfer);
    assert.deepEqual(entries.map((e) => e.path), ['Piano/piano.sfz', 'Piano/samples/a.wav', 'Piano/samples/b.wav', 'Piano/samples/c.wav', 'extra.wav']);
    assert.ok(entries.every((e) => e.file instanceof File && e.path.endsWith(e.file.name)));
    // Without the entry API: the plain files.
    const plain = await filesFromDrop({ items: [{ kind: 'file' }], files: [new File(['x'], 'one.sf2')] });
    assert.deepEqual(plain.map((e) => e.path), ['one.sf2']);
  });

  test('a folder picked with webkitdirectory keeps its relative paths; what is not an instrument is named', () => {
    const picked = [Object.assign(new File(['x'], 'a.wav'), { webkitRelativePath: 'Kit/a.wav' }), Object.assign(new File(['x'], 'kit.sfz'), { webkitRelativePath: 'Kit/kit.sfz' })];
    const entries = filesFromInput(picked);
    assert.deepEqual(entries.map((e) => e.path), ['Kit/a.wav', 'Kit/kit.sfz']);
    assert.deepEqual(describeEntries(entries), { name: 'kit.sfz', main: 'Kit/kit.sfz', single: false });
    // Audio files alone: named after their folder, not the first file.
    const wavs = filesFromInput(['C4', 'D4'].map((n) => Object.assign(new File(['x'], `${n}.wav`), { webkitRelativePath: `Kit/${n}.wav` })));
    assert.deepEqual(describeEntries(wavs), { name: 'Kit', main: 'Kit/C4.wav', single: false });
    assert.match(describeEntries([{ path: 'readme.txt' }]).error, /No instrument in readme\.txt: pick an \.sfz file/);
  });
});
