// The npm package as a consumer gets it: `npm pack` the repo, install the
// tarball into a scratch app outside the repo (offline), and play a note
// from that app in headless Chromium, built by Vite and by webpack 5,
// served by Vite's dev server, and loaded by a plain <script type="module">
// with an import map; and type-check a TypeScript consumer, strict.
// A file missing from package.json's "files" or a wrong
// `new URL(..., import.meta.url)` path fails here.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer } from 'vite';
import webpack from 'webpack';
import { launchBrowser, collectErrors } from './helpers/browser.js';
import { serveStatic } from './helpers/static-server.js';
import { wav16 } from './helpers/fixtures.js';
import { pitchOf } from './helpers/measure.js';
import { installFakeMidi } from './helpers/fake-midi.js';

const ROOT = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
const TEMPLATE = fileURLToPath(new URL('./helpers/consumer-app/', import.meta.url));
// Generous: on a busy 2-core machine a Vite build alone can take most of a minute.
const TIMEOUT = { timeout: 180_000 };
const NOTE = 76; // played on an A4 sample: E5
const EXPECTED_HZ = 440 * 2 ** ((NOTE - 69) / 12);

let app; // the scratch app's directory (outside the repo)
let packed; // npm pack's report: { filename, files: [{ path }], ... }
let browser;

function npm(args, cwd) {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

before(async () => {
  for (const f of ['sampler-worklet.js', 'sampler_wasm.js', 'sampler_wasm_bg.wasm']) {
    assert.ok(existsSync(join(ROOT, 'web/generated', f)), `web/generated/${f} is missing: run \`bash web/scripts/build.sh\` first`);
  }
  app = realpathSync(mkdtempSync(join(tmpdir(), 'wasm-midi-sampler-consumer-')));
  const browserStarted = launchBrowser();
  // The build ran before the tests (tests/run.sh), so skip the prepack build.
  [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', app], ROOT));
  cpSync(TEMPLATE, app, { recursive: true });
  const sine = Array.from({ length: 22050 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 44100));
  writeFileSync(join(app, 'tone.wav'), wav16(sine, 44100));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'wasm-midi-sampler': `file:${packed.filename}` } }),
  );
  npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], app);
  browser = await browserStarted;
});

after(async () => {
  await browser?.close();
  if (app) rmSync(app, { recursive: true, force: true });
});

/** Opens `url`, plays the note through the app's code and checks its pitch and the page's errors. */
async function playsAtPitch(url) {
  const page = await browser.context.newPage();
  const errors = collectErrors(page);
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.consumer, null, { timeout: 20_000 }).catch(() => {
      throw new Error(`the app did not start: ${errors.join('; ') || 'no error reported'}`);
    });
    assert.equal(await page.evaluate(() => window.consumer.isolated), true, 'the page is cross-origin isolated');
    const out = await page.evaluate((note) => window.consumer.playNote({ note }).catch((e) => `${e.name} ${e.code ?? ''}: ${e.message}`), NOTE);
    assert.ok(Array.isArray(out), `playNote failed: ${out}`);
    const rate = 48000;
    const peak = out.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(peak > 0.01, `silent output (peak ${peak})`);
    const measured = pitchOf(out.slice(rate / 10, rate / 10 + 8192), rate);
    const cents = 1200 * Math.log2(measured / EXPECTED_HZ);
    assert.ok(Math.abs(cents) < 1, `${measured.toFixed(2)} Hz is ${cents.toFixed(2)} cents from ${EXPECTED_HZ.toFixed(2)} Hz`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
}

describe('the packed npm package in a scratch app', () => {
  test('the tarball holds every file its modules import or resolve with new URL(..., import.meta.url)', () => {
    const files = new Set(packed.files.map((f) => f.path));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const entry of [pkg.main, pkg.types, pkg.exports['.'].types, pkg.exports['.'].default]) {
      assert.ok(files.has(entry.replace(/^\.\//, '')), `${entry} (package.json) is not in the tarball`);
    }
    const installed = join(app, 'node_modules/wasm-midi-sampler');
    for (const file of files) {
      if (!file.endsWith('.js')) continue;
      const source = readFileSync(join(installed, file), 'utf8');
      const refs = [
        ...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.[^'"]+)['"]/gm),
        ...source.matchAll(/^\s*import\s*['"](\.[^'"]+)['"]/gm),
        ...source.matchAll(/new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g),
      ].map((m) => m[1]);
      for (const ref of refs) {
        const target = relative(installed, join(installed, dirname(file), ref));
        assert.ok(files.has(target), `${file} refers to ${ref}, which is not in the tarball`);
      }
    }
  });

  test('TypeScript, strict: a consumer type-checks against the installed types, and every planted mistake is an error', TIMEOUT, () => {
    // The compiler from this repo's devDependencies; the types from the
    // scratch app's node_modules (the tarball's web/index.d.ts).
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const check = (config) => {
      const r = spawnSync(process.execPath, [tsc, '-p', join(app, 'typecheck', config), '--pretty', 'false'], { cwd: app, encoding: 'utf8' });
      const errors = [...`${r.stdout}${r.stderr}`.matchAll(/^(\S+?)\((\d+),\d+\): error (TS\d+): (.*)$/gm)].map((m) => ({ file: m[1], line: Number(m[2]), code: m[3], text: m[4] }));
      return { status: r.status, errors, output: `${r.stdout}${r.stderr}` };
    };
    const good = check('tsconfig.json');
    assert.deepEqual(good.errors, [], `consumer.ts must compile: ${good.output}`);
    assert.equal(good.status, 0, good.output);
    const bad = check('tsconfig.mistakes.json');
    const source = readFileSync(join(app, 'typecheck/mistakes.ts'), 'utf8').split('\n');
    const planted = source.flatMap((line, i) => (/\/\/ MISTAKE:/.test(line) ? [i + 1] : []));
    assert.ok(planted.length >= 8, `planted mistakes: ${planted}`);
    assert.deepEqual([...new Set(bad.errors.map((e) => e.line))].sort((a, b) => a - b), planted, `errors on exactly the marked lines: ${bad.output}`);
    assert.ok(bad.errors.every((e) => e.file.endsWith('mistakes.ts')), `errors only in mistakes.ts, none in the package's types: ${bad.output}`);
  });

  test('a Vite build of the app plays a note at the right pitch', TIMEOUT, async () => {
    const loaded = [];
    await build({
      root: app,
      configFile: join(app, 'vite.config.js'),
      logLevel: 'error',
      // Records where modules come from: the package must resolve from the
      // scratch app's node_modules, never from this repo.
      plugins: [{ name: 'record-modules', load(id) { loaded.push(id); } }],
    });
    const fromPackage = loaded.filter((id) => id.startsWith(join(app, 'node_modules/wasm-midi-sampler/')));
    assert.ok(fromPackage.some((id) => id.endsWith('/web/index.js')), `the package was not bundled from the app's node_modules: ${loaded.join(', ')}`);
    assert.deepEqual(loaded.filter((id) => id.startsWith(ROOT)), [], 'modules bundled from the repo itself');
    const assets = readdirSync(join(app, 'dist/assets'));
    assert.ok(assets.some((f) => f.endsWith('.wasm')), `no wasm among the built assets: ${assets}`);
    const server = await serveStatic(join(app, 'dist'));
    try {
      await playsAtPitch(server.url);
    } finally {
      await server.close();
    }
  });

  test('a webpack 5 build of the app plays a note at the right pitch', TIMEOUT, async () => {
    // webpack turns each `new URL(..., import.meta.url)` into an emitted
    // asset (the worklet script, the wasm engine, the app's tone.wav).
    const out = join(app, 'dist-webpack');
    const stats = await new Promise((resolve, reject) => {
      webpack({
        mode: 'production',
        context: app,
        entry: './play.js',
        output: { path: out, filename: 'app.js', clean: true },
        performance: { hints: false },
      }, (err, result) => (err ? reject(err) : resolve(result)));
    });
    const info = stats.toJson({ all: false, errors: true, warnings: true, modules: true, nestedModules: true, assets: true });
    assert.deepEqual(info.errors.map((e) => e.message), [], 'webpack errors');
    assert.deepEqual(info.warnings.map((e) => e.message), [], 'webpack warnings');
    // Where every module came from (production mode concatenates them: look inside).
    const flat = (list) => list.flatMap((m) => [m, ...flat(m.modules ?? [])]);
    const modules = flat(info.modules).map((m) => m.nameForCondition).filter(Boolean);
    assert.ok(modules.some((id) => id.startsWith(join(app, 'node_modules/wasm-midi-sampler/web/index.js'))), `the package was not bundled from the app's node_modules: ${modules.join(', ')}`);
    assert.deepEqual(modules.filter((id) => id.startsWith(ROOT)), [], 'modules bundled from the repo itself');
    const assets = info.assets.map((a) => a.name);
    assert.ok(assets.some((f) => f.endsWith('.wasm')), `no wasm among the emitted assets: ${assets}`);
    writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><p id="status">loading</p><script src="./app.js"></script>\n');
    const server = await serveStatic(out);
    try {
      await playsAtPitch(server.url);
    } finally {
      await server.close();
    }
  });

  test('the app plays from the Vite dev server', TIMEOUT, async () => {
    const server = await createServer({
      root: app,
      configFile: join(app, 'vite.config.js'),
      logLevel: 'error',
      server: { port: 0, host: '127.0.0.1' },
    });
    await server.listen();
    try {
      await playsAtPitch(server.resolvedUrls.local[0]);
    } finally {
      await server.close();
    }
  });

  test('a plain <script type="module"> page (import map, no bundler) plays a note at the right pitch', TIMEOUT, async () => {
    const server = await serveStatic(app);
    try {
      await playsAtPitch(`${server.url}plain.html`);
      const fetched = server.requests.filter((p) => p.startsWith('/node_modules/wasm-midi-sampler/'));
      for (const f of ['web/index.js', 'web/generated/sampler-worklet.js', 'web/generated/sampler_wasm_bg.wasm']) {
        assert.ok(fetched.includes(`/node_modules/wasm-midi-sampler/${f}`), `${f} was not fetched from the installed package`);
      }
    } finally {
      await server.close();
    }
  });

  for (const mode of ['ok', 'absent', 'denied']) {
    test(`the README's Quick start, as written, plays with Web MIDI ${mode}`, TIMEOUT, async () => {
      // The first js block under "Quick start: the package", with the
      // instrument it names served by the app (a sine with root key C4).
      const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
      const section = readme.slice(readme.indexOf('## Quick start: the package'));
      const code = /```js\n([\s\S]*?)```/.exec(section)[1];
      assert.match(code, /connectMidiInput/, 'the Quick start connects MIDI');
      writeFileSync(join(app, 'quickstart.js'), `${code}\nwindow.quickStart = { context, sampler };\n`);
      const server = await serveStatic(app);
      const page = await browser.context.newPage();
      const errors = collectErrors(page);
      try {
        await page.addInitScript(installFakeMidi, { mode });
        await page.goto(`${server.url}quickstart.html`);
        await page.waitForFunction(() => window.quickStart, null, { timeout: 20_000 }).catch(() => {
          throw new Error(`the Quick start did not finish: ${errors.join('; ') || 'no error reported'}`);
        });
        const heard = await page.evaluate(async () => {
          const { context, sampler } = window.quickStart;
          const analyser = new AnalyserNode(context, { fftSize: 8192 });
          sampler.node.connect(analyser);
          document.querySelector('#play').click();
          await new Promise((r) => setTimeout(r, 400));
          const buf = new Float32Array(analyser.fftSize);
          analyser.getFloatTimeDomainData(buf);
          return { peak: buf.reduce((m, x) => Math.max(m, Math.abs(x)), 0), midi: sampler.midi !== null };
        });
        assert.ok(heard.peak > 0.01, `the play button sounds (peak ${heard.peak})`);
        assert.equal(heard.midi, mode === 'ok', 'listening to Web MIDI only where there is MIDI');
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
        await server.close();
      }
    });
  }

  test('errors are the documented SamplerError codes, TypeErrors and RangeErrors', TIMEOUT, async () => {
    const server = await serveStatic(app);
    const page = await browser.context.newPage();
    try {
      await page.goto(`${server.url}plain.html`);
      const outcomes = await page.evaluate(async () => {
        const { createSampler, SamplerError } = await import('wasm-midi-sampler');
        const outcome = async (f) => {
          try {
            await f();
            return 'no error';
          } catch (e) {
            return e instanceof SamplerError ? `SamplerError ${e.code}` : e.name;
          }
        };
        const ctx = new OfflineAudioContext(1, 128, 48000);
        const sampler = await createSampler(ctx);
        const results = {
          notAContext: await outcome(() => createSampler({})),
          polyphony: await outcome(() => createSampler(ctx, { maxPolyphony: 0 })),
          ringCapacity: await outcome(() => createSampler(ctx, { ringCapacity: 1.5 })),
          note: await outcome(() => sampler.noteOn(128)),
          channel: await outcome(() => sampler.noteOn(60, 100, { channel: 16 })),
          time: await outcome(() => sampler.noteOn(60, 100, { time: NaN })),
          bend: await outcome(() => sampler.pitchBend(8192)),
          sendMidi: await outcome(() => sampler.sendMidi(144)),
          gain: await outcome(() => sampler.setMasterGain(-1)),
          delay: await outcome(() => { sampler.scheduleDelay = 2; }),
          noEntries: await outcome(() => sampler.loadSamples([])),
          noSource: await outcome(() => sampler.loadSamples([{ rootKey: 60 }])),
          rootKey: await outcome(() => sampler.loadSamples([{ url: 'tone.wav', rootKey: 200 }])),
          missingSample: await outcome(() => sampler.loadSamples([{ url: 'missing.wav', rootKey: 60 }])),
          missingInstrument: await outcome(() => sampler.loadInstrument('missing.sfz')),
        };
        Object.defineProperty(navigator, 'requestMIDIAccess', { value: undefined });
        const midi = await sampler.connectMidiInput('all');
        results.noMidi = `available ${midi.available}, ${midi.error instanceof SamplerError ? `SamplerError ${midi.error.code}` : midi.error}`;
        results.noMidiRequired = await outcome(() => sampler.connectMidiInput('all', { required: true }));
        sampler.dispose();
        results.disposed = await outcome(() => sampler.loadSamples([{ channels: [[0, 1]], sampleRate: 48000, rootKey: 60 }]));
        return results;
      });
      assert.deepEqual(outcomes, {
        notAContext: 'TypeError',
        polyphony: 'RangeError',
        ringCapacity: 'RangeError',
        note: 'RangeError',
        channel: 'RangeError',
        time: 'RangeError',
        bend: 'RangeError',
        sendMidi: 'TypeError',
        gain: 'RangeError',
        delay: 'RangeError',
        noEntries: 'TypeError',
        noSource: 'TypeError',
        rootKey: 'RangeError',
        missingSample: 'SamplerError instrument',
        missingInstrument: 'SamplerError instrument',
        noMidi: 'available false, SamplerError midi-unavailable',
        noMidiRequired: 'SamplerError midi-unavailable',
        disposed: 'SamplerError disposed',
      });
    } finally {
      await page.close();
      await server.close();
    }
  });
});
