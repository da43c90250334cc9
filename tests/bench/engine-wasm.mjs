// The engine compiled to wasm, timed in headless Chromium (`npm run bench`).
// Runs in a page (the worklet scope has no performance.now()), through the
// same WasmSampler.process the worklet calls: N sustained voices of a
// looped 440 Hz sine (the native bench's scene), many 128-frame quanta, at
// 48 kHz. Prints ns per voice-frame (the best of 40 short rounds) and how
// many voices fit in one quantum's time budget on this machine. Cases: linear and
// Hermite interpolation, each without and with a resonant low-pass (the
// native bench's filter). Optional arguments select cases by name, e.g.
// `node tests/bench/engine-wasm.mjs linear+filter/1024`.
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../helpers/browser.js';
import { startDevServer } from '../helpers/server.js';

const only = process.argv.slice(2);
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const server = await startDevServer();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  await page.goto(server.url);
  const results = await page.evaluate(async ([root, only]) => {
    const glue = await import(`/@fs${root}/web/generated/sampler_wasm.js`);
    const { MidiRing, FLAG_IMMEDIATE } = await import(`/@fs${root}/web/ring.js`);
    const bytes = await (await fetch(`/@fs${root}/web/generated/sampler_wasm_bg.wasm`)).arrayBuffer();
    const { memory } = glue.initSync({ module: new WebAssembly.Module(bytes) });
    const { loadNow } = await import(`/@fs${root}/tests/helpers/load-now.js`);
    const rate = 48000;
    const sine = new Float32Array(44100);
    for (let i = 0; i < sine.length; i++) sine[i] = Math.sin((2 * Math.PI * 440 * i) / 44100);
    const out = [];
    // FilterParams as serde names them (crates/sampler-core/src/region.rs).
    const lowPass = {
      kind: 'LowPass', cutoff_hz: 2000, resonance_db: 6, keytrack_cents: 0, keycenter: 60,
      veltrack_cents: 0, envelope: {}, envelope_depth_cents: 0,
    };
    const cases = [[0, 'linear', null], [0, 'linear+filter', lowPass], [1, 'hermite', null], [1, 'hermite+filter', lowPass]];
    for (const [mode, name, filter] of cases) {
      for (const voices of [16, 64, 256, 1024]) {
        if (only.length && !only.some((o) => `${name}/${voices}`.includes(o))) continue;
        const ring = MidiRing.create(2048);
        const s = new glue.WasmSampler(rate, ring.buffer, voices);
        // Looped like the native bench's scene, so no voice runs out of sample.
        const region = { sample: 0, root_key: 69, loop_mode: 'Continuous', loop_start: 0, loop_end: 44100 };
        loadNow(s, memory, [{ channels: [sine.slice()], sampleRate: 44100 }], [filter ? { ...region, filter } : region]);
        s.setInterpolation(mode);
        for (let k = 0; k < voices; k++) ring.trySend(0, 0x90 | Math.floor(k / 88), 21 + (k % 88), 100, 3, 0, FLAG_IMMEDIATE);
        s.process(0, 128);
        if (s.activeVoices() !== voices) throw new Error(`${s.activeVoices()} voices, wanted ${voices}`);
        // Best of several rounds: on a shared machine a round that lost
        // the core to another process is slower, never faster.
        const rounds = 40;
        const quanta = Math.max(4, Math.round(8000 / voices));
        let frame = 128;
        for (let q = 0; q < 50; q++, frame += 128) s.process(frame, 128); // warm up
        let best = Infinity;
        for (let round = 0; round < rounds; round++) {
          const t0 = performance.now();
          for (let q = 0; q < quanta; q++, frame += 128) s.process(frame, 128);
          best = Math.min(best, performance.now() - t0);
        }
        if (s.activeVoices() !== voices) throw new Error(`${s.activeVoices()} voices at the end, wanted ${voices}`);
        const nsPerVoiceFrame = (best * 1e6) / (quanta * 128 * voices);
        out.push({ name, voices, nsPerVoiceFrame, voicesPerQuantum: Math.floor(((128 / rate) * 1e9) / (nsPerVoiceFrame * 128)) });
        s.free();
      }
    }
    return out;
  }, [ROOT, only]);
  console.log(`wasm engine in ${await browser.context.browser()?.version?.() ?? 'headless Chromium'}, 48 kHz, 128-frame quanta:`);
  for (const r of results) {
    console.log(`${r.name.padEnd(15)} ${String(r.voices).padStart(5)} voices: ${r.nsPerVoiceFrame.toFixed(2)} ns per voice-frame -> ${r.voicesPerQuantum} voices fit in one quantum`);
  }
} finally {
  await browser.close();
  await server.close();
}
