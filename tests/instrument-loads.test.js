// The worklet's instrument loader (worklet/instrument-loads.js) driving the
// real wasm engine in Node: every task is bounded in the bytes it copies into
// wasm memory whatever the sample sizes, loads complete in order, and a
// refused load leaves the current instrument playing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initSync, WasmSampler } from '../web/generated/sampler_wasm.js';
import { MidiRing, FLAG_IMMEDIATE } from '../web/ring.js';
import { directLoads } from './helpers/load-now.js';

const wasm = initSync({ module: readFileSync(new URL('../web/generated/sampler_wasm_bg.wasm', import.meta.url)) });
const RATE = 48000;
const STEP_BYTES = WasmSampler.stagingBytes();

const sine = (hz, frames, Type = Float32Array, amplitude = 0.5) => {
  const scale = Type === Int16Array ? 32767 : 1;
  return Type.from({ length: frames }, (_, i) => Math.round(scale * amplitude * Math.sin((2 * Math.PI * hz * i) / RATE) * 1e6) / 1e6);
};

/**
 * A sampler whose loader counts the bytes each task hands to wasm: typed
 * arrays passed to any method, and the values or bytes appended from the
 * staging buffer (`elementBytes(sample)` says how wide a sample's values are).
 */
function countingSetup(elementBytes) {
  const ring = MidiRing.create(64);
  const sampler = new WasmSampler(RATE, ring.buffer, 16);
  let bytes = 0;
  const counted = new Proxy(sampler, {
    get(target, key) {
      const value = target[key];
      if (typeof value !== 'function' || key === 'constructor') return value;
      return (...args) => {
        for (const a of args) if (ArrayBuffer.isView(a)) bytes += a.byteLength;
        if (key === 'loadAppendSamples') bytes += args[2] * elementBytes(args[0]);
        if (key === 'loadAppendRegionBytes') bytes += args[0];
        return value.apply(target, args);
      };
    },
  });
  let tasks = 0;
  const meter = { now: () => null, beginTask: () => { tasks++; bytes = 0; return null; }, endTask: () => { perTask.push(bytes); return null; } };
  const perTask = [];
  const direct = directLoads(counted, wasm.memory, { meter });
  return { ring, sampler, direct, perTask, tasks: () => tasks };
}

/** Renders `frames` and returns the left channel. */
function render(sampler, frames, from = 0) {
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f += 128) {
    sampler.process(from + f, 128);
    out.set(new Float32Array(wasm.memory.buffer, sampler.leftPtr(), 128).subarray(0, Math.min(128, frames - f)), f);
  }
  return out;
}

/** Frequency from upward zero crossings of `x` (after its first 4800 frames). */
function pitch(x) {
  const crossings = [];
  for (let i = 4801; i < x.length; i++) if (x[i - 1] < 0 && x[i] >= 0) crossings.push(i - 1 + x[i - 1] / (x[i - 1] - x[i]));
  return ((crossings.length - 1) * RATE) / (crossings.at(-1) - crossings[0]);
}

const cents = (hz, want) => 1200 * Math.log2(hz / want);

test('no step copies more than the step size, whatever the sample size', () => {
  // A 2.3 MB mono f32 sample (a Salamander sample's size), a 4.6 MB stereo
  // one, small ones, and 2000 regions (bytes of their own).
  const samples = [
    { channels: [sine(441, 576_000)], sampleRate: RATE },
    { channels: [sine(441, 576_000), sine(441, 576_000)], sampleRate: RATE },
    ...Array.from({ length: 40 }, () => ({ channels: [sine(441, 1000)], sampleRate: RATE })),
    { channels: [new Float32Array(0)], sampleRate: RATE },
  ];
  const total = samples.reduce((sum, s) => sum + s.channels.reduce((n, c) => n + c.byteLength, 0), 0);
  // Note 69 plays the first sample; the other regions are elsewhere.
  const regions = Array.from({ length: 2000 }, (_, i) =>
    i === 0 ? { sample: 0, root_key: 69, key_lo: 69, key_hi: 69 } : { sample: 1 + (i % 42), root_key: 60, key_lo: i % 69, key_hi: i % 69, vel_lo: 1 + (i % 127) });
  const { sampler, direct, perTask, ring } = countingSetup(() => 4);
  direct.add(samples, regions);
  direct.run();
  assert.equal(direct.replies.length, 1);
  const reply = direct.replies[0];
  assert.equal(reply.type, 'instrument-loaded', reply.message);
  const largest = Math.max(...perTask);
  console.log(`# ${(total / 1048576).toFixed(1)} MiB in ${perTask.length} tasks, at most ${largest} bytes each (step size ${STEP_BYTES})`);
  assert.ok(largest <= STEP_BYTES, `a task copied ${largest} bytes`);
  assert.ok(perTask.reduce((a, b) => a + b, 0) >= total, 'every byte was counted');
  assert.ok(reply.steps >= Math.ceil(total / STEP_BYTES) && reply.steps <= perTask.length, `${reply.steps} steps`);
  // The samples arrived whole: the large one plays at its pitch.
  ring.trySend(0, 0x90, 69, 127, 3, 0, FLAG_IMMEDIATE);
  const out = render(sampler, RATE);
  assert.ok(Math.abs(cents(pitch(out), 441)) < 1, `pitch ${pitch(out)}`);
});

test('16-bit and stereo samples: each step within the step size too', () => {
  const samples = [
    { channels: [sine(441, 1_500_000, Int16Array), sine(441, 1_500_000, Int16Array)], sampleRate: RATE },
    { channels: [sine(441, 3, Int16Array)], sampleRate: RATE },
  ];
  const { sampler, direct, perTask, ring } = countingSetup(() => 2);
  direct.add(samples, [{ sample: 0, root_key: 69 }, { sample: 1, root_key: 20, key_lo: 0, key_hi: 20 }]);
  direct.run();
  assert.equal(direct.replies[0].type, 'instrument-loaded', direct.replies[0].message);
  assert.ok(Math.max(...perTask) <= STEP_BYTES, `a task copied ${Math.max(...perTask)} bytes`);
  assert.ok(perTask.length >= (2 * 1_500_000 * 2) / STEP_BYTES, `${perTask.length} tasks`);
  ring.trySend(0, 0x90, 69, 127, 3, 0, FLAG_IMMEDIATE);
  assert.ok(Math.abs(cents(pitch(render(sampler, RATE)), 441)) < 1);
});

test('loads complete in the order they came; a refused one leaves the current instrument playing', () => {
  const { sampler, direct, ring } = countingSetup(() => 4);
  direct.add([{ channels: [sine(330, RATE)], sampleRate: RATE }], [{ sample: 0, root_key: 69 }]);
  direct.add([{ channels: [sine(441, RATE)], sampleRate: RATE }], [{ sample: 0, root_key: 69 }]);
  // Refused by the worklet (the main thread checks shapes, not rates).
  direct.add([{ channels: [sine(550, RATE)], sampleRate: 12 }], [{ sample: 0, root_key: 69 }]);
  direct.run();
  assert.deepEqual(direct.replies.map((r) => [r.type, r.id]), [
    ['instrument-loaded', 'instrument-1'],
    ['instrument-loaded', 'instrument-2'],
    ['error', 'instrument-3'],
  ]);
  assert.match(direct.replies[2].message, /^sample 0: sample rate 12 Hz is not usable$/);
  ring.trySend(0, 0x90, 69, 127, 3, 0, FLAG_IMMEDIATE);
  assert.ok(Math.abs(cents(pitch(render(sampler, RATE)), 441)) < 1, 'the second instrument plays');
  assert.equal(direct.loads.busy, false, 'what was replaced or refused is freed');
});

test('every task is timed into the meter', () => {
  const { direct, perTask, tasks } = countingSetup(() => 4);
  direct.add([{ channels: [sine(441, 200_000)], sampleRate: RATE }], [{ sample: 0, root_key: 69 }]);
  direct.run();
  assert.equal(perTask.length, tasks(), 'each beginTask has its endTask');
  assert.ok(tasks() >= direct.replies[0].steps && tasks() > 3);
});

test("a large instrument's regions are checked and listed by key in many bounded build steps", () => {
  // 20,000 regions on ranges that end at every key: the most list entries
  // (and segments) per region, the per-key lists' worst case.
  const regions = Array.from({ length: 20_000 }, (_, i) => ({ sample: 0, root_key: 60, key_lo: i % 64, key_hi: 64 + (i % 64) }));
  const builds = [];
  const ring = MidiRing.create(64);
  const sampler = new WasmSampler(RATE, ring.buffer, 16);
  const counted = new Proxy(sampler, {
    get(target, key) {
      const value = target[key];
      if (key !== 'loadBuild') return typeof value === 'function' && key !== 'constructor' ? value.bind(target) : value;
      return (budget) => {
        builds.push(budget);
        return value.call(target, budget);
      };
    },
  });
  const direct = directLoads(counted, wasm.memory);
  direct.add([{ channels: [sine(441, 48_000)], sampleRate: RATE }], regions);
  direct.run();
  assert.equal(direct.replies[0]?.type, 'instrument-loaded', JSON.stringify(direct.replies[0]));
  // About 20,000 × (1 + 1 + 65 + 65) units of checking, counting and filling.
  assert.ok(builds.length > 100, `${builds.length} build steps`);
  assert.ok(builds.every((b) => b === builds[0]), 'each step asks for the same budget');
  // The instrument plays: every one of note 64's layers is in its key list.
  ring.trySend(0, 0x90, 64, 100, 3, 0, FLAG_IMMEDIATE);
  render(sampler, 128);
  assert.equal(sampler.activeVoices(), 16, 'the pool (16 voices) is full of note 64\'s 20,000 layers');
});
