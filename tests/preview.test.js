// The demo page as `npm run preview` serves it: `vite build` into a scratch
// folder, then `vite preview` (Vite's static server for builds) on it, and
// the whole default piano loaded and played in headless Chromium. A sample
// file name that some static hosts cannot serve (`#`: `vite preview`
// answered `D%231v8.mp3` with the HTML page) fails here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { launchBrowser } from './helpers/browser.js';
import { openPage, startAudio, recent, waitForSilence, SILENT } from './helpers/page-driver.js';
import { pitchOf } from './helpers/measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
// A Vite build alone can take most of a minute on a busy 2-core machine.
const TIMEOUT = { timeout: 240_000 };

let browser;
let outDir;

before(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'sampler-preview-'));
  const browserStarted = launchBrowser();
  await build({ configFile: join(ROOT, 'vite.config.js'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  browser = await browserStarted;
});

after(async () => {
  await browser?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Every file under `dir`, relative to it. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));
}

test('every file of the build has a name any static host serves as it is (no character a URL must escape)', () => {
  const files = filesUnder(outDir);
  assert.ok(files.some((f) => f.startsWith('samples/') && f.endsWith('.mp3')), `the build has the piano's samples: ${files.slice(0, 5)}`);
  const escaped = files.filter((f) => f.split('/').some((part) => encodeURIComponent(part) !== part));
  assert.deepEqual(escaped, [], 'file names a URL has to escape');
});

test('`vite preview` of the build serves the page, and the whole piano loads and plays in tune', TIMEOUT, async () => {
  const server = await preview({
    configFile: join(ROOT, 'vite.config.js'),
    logLevel: 'error',
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
  });
  try {
    const { page, errors } = await openPage(browser, server.resolvedUrls.local[0]);
    // What each sample request got back, by its type (the bug: HTML).
    const answers = [];
    page.on('response', (r) => r.url().includes('/samples/') && answers.push(`${r.status()} ${r.headers()['content-type']}`));
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the preview sends the isolation headers');
    await startAudio(page, { full: true });
    assert.match(await page.textContent('#status'), /Ready: piano with 208 regions/);
    // 206: the first piano step asks for the start of each sample.
    const wrong = answers.filter((a) => !/^20[06] audio\/mpeg/.test(a));
    assert.deepEqual(wrong, [], `sample responses that are not MP3s (of ${answers.length})`);
    // A4 played: its pitch, measured in what the page's analyser hears.
    assert.ok((await waitForSilence(page)) < SILENT);
    await page.evaluate(() => window.__samplerPage.sampler.noteOn(69, 100));
    await page.waitForTimeout(400);
    const { samples, rate } = await recent(page);
    await page.evaluate(() => window.__samplerPage.sampler.noteOff(69));
    const hz = pitchOf(samples, rate);
    assert.ok(Math.abs(1200 * Math.log2(hz / 440)) < 30, `A4 at ${hz.toFixed(1)} Hz`);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await new Promise((resolve) => server.httpServer.close(resolve));
  }
});
