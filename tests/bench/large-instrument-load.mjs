// How long each kind of loading step takes for a large instrument: the
// worklet's loader (worklet/instrument-loads.js) driving the real wasm
// engine in Node (V8, as in Chromium), timed with performance.now().
// `node tests/bench/large-instrument-load.mjs [regions] [samples]`
// (default 100,000 regions over 100 samples of 1 s, 16-bit stereo).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { initSync, WasmSampler } from '../../web/generated/sampler_wasm.js';
import { MidiRing } from '../../web/ring.js';
import { directLoads } from '../helpers/load-now.js';

const regionCount = Number(process.argv[2] ?? 100_000);
const sampleCount = Number(process.argv[3] ?? 100);
const wasm = initSync({ module: readFileSync(new URL('../../web/generated/sampler_wasm_bg.wasm', import.meta.url)) });
const sampler = new WasmSampler(48000, MidiRing.create(64).buffer, 256);

const frames = 48000;
const samples = Array.from({ length: sampleCount }, () => ({ channels: [new Int16Array(frames).fill(100), new Int16Array(frames).fill(-100)], sampleRate: 48000 }));
const regions = Array.from({ length: regionCount }, (_, i) => ({
  sample: i % sampleCount, root_key: 60, key_lo: i % 128, key_hi: i % 128, vel_lo: 1 + (i % 127), vel_hi: 127,
  tune_cents: (i % 100) - 50, volume_db: -(i % 20), loop_mode: 'Continuous', loop_start: 100, loop_end: 40000,
}));

const meter = { now: () => performance.now(), beginTask: () => performance.now(), endTask: (t) => performance.now() - t };
const direct = directLoads(sampler, wasm.memory, { meter });
const t0 = performance.now();
direct.add(samples, regions);
const encodeMs = performance.now() - t0;
const byPhase = new Map();
const loads = direct.loads;
while (loads.busy) {
  const phase = loads.nextStep();
  const t = performance.now();
  loads.runTask();
  const ms = performance.now() - t;
  const p = byPhase.get(phase) ?? { steps: 0, totalMs: 0, longestMs: 0 };
  p.steps++;
  p.totalMs += ms;
  p.longestMs = Math.max(p.longestMs, ms);
  byPhase.set(phase, p);
}
const reply = direct.replies[0];
if (reply.type !== 'instrument-loaded') throw new Error(reply.message);
console.log(`${regionCount} regions (${encodeMs.toFixed(0)} ms to check and encode on the main thread), ${sampleCount} samples (${(reply.bytes / 1048576).toFixed(1)} MiB): ${reply.steps} steps`);
for (const [phase, p] of byPhase) {
  console.log(`  ${phase.padEnd(14)} ${String(p.steps).padStart(5)} steps, longest ${p.longestMs.toFixed(3)} ms, total ${p.totalMs.toFixed(1)} ms`);
}
