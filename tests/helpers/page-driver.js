// Driving the demo page in the browser tests: a fresh page (no storage left
// from an earlier test), starting audio, measuring what the page's analyser
// hears, and reading screenshots' pixels.
import { collectErrors } from './browser.js';
import { installFakeMidi } from './fake-midi.js';

/**
 * A page at `url` with storage cleared, the fake Web MIDI installed with
 * `midi` options (or none when `midi` is false), `viewport`, and
 * `samplerOptions` (test-only createSampler options the page passes on).
 */
export async function openPage(browser, url, { midi = {}, viewport = { width: 1280, height: 900 }, samplerOptions } = {}) {
  const page = await browser.context.newPage();
  const errors = collectErrors(page);
  await page.setViewportSize(viewport);
  if (midi) await page.addInitScript(installFakeMidi, midi);
  if (samplerOptions) await page.addInitScript((options) => { window.__samplerTestOptions = options; }, samplerOptions);
  await page.goto(url);
  // The persistent browser profile keeps storage between tests of a run.
  await page.evaluate(async () => {
    localStorage.clear();
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase('sampler-page');
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  });
  await page.reload();
  return { page, errors };
}

/** Presses "Start audio" and waits until playable (and fully loaded when `full`). */
export async function startAudio(page, { full = false } = {}) {
  await page.click('#start');
  await page.evaluate(() => window.__samplerPage.ready);
  if (full) await page.waitForFunction(() => window.__samplerPage.fullyLoaded, null, { timeout: 90_000 });
}

/** RMS of the last `frames` frames the page's analyser heard. */
export function level(page, frames = 4096) {
  return page.evaluate((frames) => {
    const { analyser } = window.__samplerPage;
    const buf = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (let i = buf.length - frames; i < buf.length; i++) sum += buf[i] * buf[i];
    return Math.sqrt(sum / frames);
  }, frames);
}

/** The last `frames` samples and the context's rate (for pitch measurements). */
export function recent(page, frames = 16384) {
  return page.evaluate((frames) => {
    const { analyser, context } = window.__samplerPage;
    const buf = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(buf);
    return { samples: Array.from(buf.subarray(buf.length - frames)), rate: context.sampleRate };
  }, frames);
}

export const SILENT = 1e-4;

/** Waits until the output is silent (rms < SILENT); returns the last level. */
export async function waitForSilence(page, ms = 4000) {
  let rms = Infinity;
  for (let waited = 0; waited < ms; waited += 100) {
    rms = await level(page, 16384);
    if (rms < SILENT) break;
    await page.waitForTimeout(100);
  }
  return rms;
}

/**
 * Fractions of a PNG's pixels that are white (all channels > 235), black
 * (all < 70) and key-light blue (blue > 180, red < 170), decoded in the
 * page (no PNG library needed in Node).
 */
export function pixelStats(page, png) {
  return page.evaluate(async (b64) => {
    const blob = await (await fetch(`data:image/png;base64,${b64}`)).blob();
    const bitmap = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const g = canvas.getContext('2d');
    g.drawImage(bitmap, 0, 0);
    const d = g.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let white = 0;
    let black = 0;
    let blue = 0;
    for (let i = 0; i < d.length; i += 4) {
      const [r, gr, b] = [d[i], d[i + 1], d[i + 2]];
      if (r > 235 && gr > 235 && b > 235) white++;
      else if (r < 70 && gr < 70 && b < 70) black++;
      else if (b > 180 && r < 170) blue++;
    }
    const n = d.length / 4;
    return { white: white / n, black: black / n, blue: blue / n, width: bitmap.width, height: bitmap.height };
  }, png.toString('base64'));
}

/** The centre x and a y at `depth` (0 top .. 1 bottom) of the on-screen key `note`. */
export async function keyPoint(page, note, depth = 0.5) {
  const key = page.locator(`.key[data-note="${note}"]`);
  await key.scrollIntoViewIfNeeded();
  const box = await key.boundingBox();
  return { x: box.x + box.width / 2, y: box.y + box.height * depth };
}

/** Whether the on-screen key `note` is lit. */
export function isLit(page, note) {
  return page.evaluate((n) => document.querySelector(`.key[data-note="${n}"]`).classList.contains('down'), note);
}

/**
 * The peak the analyser saw around a note-on scheduled 50 ms ahead, read
 * 300 ms after it: the attack's peak does not depend on when the test reads,
 * unlike a level measured on a decaying note.
 */
export function peakOfNote(page, note, velocity = 100) {
  return page.evaluate(async ([note, velocity]) => {
    const { sampler, context, analyser } = window.__samplerPage;
    const at = context.currentTime + 0.05;
    sampler.noteOn(note, velocity, { time: at });
    while (context.currentTime < at + 0.3) await new Promise((r) => setTimeout(r, 20));
    const buf = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(buf);
    sampler.noteOff(note);
    return buf.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  }, [note, velocity]);
}

/** Holds the on-screen key `note` with the mouse at `depth` for `ms`; returns the level then heard. */
export async function levelWhileHeld(page, note, { depth = 0.8, ms = 300, frames = 4096 } = {}) {
  const { x, y } = await keyPoint(page, note, depth);
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.waitForTimeout(ms);
  const rms = await level(page, frames);
  await page.mouse.up();
  return rms;
}
