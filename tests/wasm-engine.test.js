// The real wasm engine, driven from Node through the JS producer: the
// cross-language path (JS writes the ring, Rust reads it) and exact onsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initSync, WasmSampler, ringLayout } from '../web/generated/sampler_wasm.js';
import { MidiRing } from '../web/ring.js';
import * as L from '../web/ring.js';
import { loadNow } from './helpers/load-now.js';

const wasm = initSync({ module: readFileSync(new URL('../web/generated/sampler_wasm_bg.wasm', import.meta.url)) });

function makeSampler(sampleRate, ring, sample = new Float32Array(sampleRate).fill(1)) {
  const s = new WasmSampler(sampleRate, ring.buffer, 64);
  loadNow(s, wasm.memory, [{ channels: [sample], sampleRate }], [{ sample: 0, root_key: 60 }], { release_seconds: 0.3 });
  return s;
}

function render(sampler, frames, block = 128) {
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f += block) {
    sampler.process(f, block);
    const view = new Float32Array(wasm.memory.buffer, sampler.leftPtr(), block);
    out.set(view.subarray(0, Math.min(block, frames - f)), f);
  }
  return out;
}

const onset = (x) => x.findIndex((v) => Math.abs(v) > 1e-6);

test('the layout compiled into wasm equals the one in web/ring.js', () => {
  const rust = ringLayout();
  assert.ok(Object.keys(rust).length >= 20);
  assert.deepEqual(L.layoutDifferences(rust), []);
  assert.deepEqual(L.layoutDifferences({ ...rust, statLate: rust.statLate + 1, extra: 1 }), ['statLate', 'extra']);
});

test('notes written by JS at frames 1000, 1129 and 5000 start at exactly those frames', () => {
  for (const target of [1000, 1129, 5000, 0, 127, 128]) {
    const ring = MidiRing.create(64);
    const sampler = makeSampler(48000, ring);
    assert.ok(ring.trySend(target, 0x90, 60, 100));
    const out = render(sampler, 8192);
    assert.equal(onset(out), target, `note at frame ${target}`);
    sampler.free();
  }
});

test('the Rust consumer reads every JS record, across ring wrap-around', () => {
  const ring = MidiRing.create(16);
  const sampler = makeSampler(48000, ring);
  let sent = 0;
  for (let q = 0; q < 200; q++) {
    // Bursts of up to the ring's capacity, in the future so they queue.
    for (let i = 0; i < 1 + (q % 16); i++) assert.ok(ring.trySend(1e6 + sent++, 0x90 | (q % 16), sent % 128, 1 + (sent % 127)));
    sampler.process(q * 128, 128);
  }
  const s = ring.stats();
  assert.equal(s.received, sent);
  assert.equal(s.invalid, 0);
  assert.equal(s.queued, Math.min(sent, 4096));
  assert.equal(s.fill, 0);
});

test('JS and Rust agree on drops, late events and published statistics', () => {
  const ring = MidiRing.create(8);
  const sampler = makeSampler(48000, ring);
  for (let i = 0; i < 10; i++) ring.trySend(0, 0x90, 60 + i, 100);
  assert.equal(ring.dropped, 2);
  render(sampler, 256);
  const s = ring.stats();
  assert.equal(s.received, 8);
  assert.equal(s.late, 0, 'frame 0 at quantum 0 is on time');
  assert.equal(s.activeVoices, 8);
  assert.equal(s.quanta, 2);
  assert.equal(s.maxFill, 8);
  ring.trySend(10, 0x90, 50, 100); // frame 10 has passed
  sampler.process(256, 128);
  assert.equal(ring.stats().late, 1);
  ring.trySend(0, 0x90, 51, 100, 3, 0, L.FLAG_IMMEDIATE);
  sampler.process(384, 128);
  assert.equal(ring.stats().late, 1, 'immediate events are not late');
});

test('garbage bytes are counted, not played', () => {
  const ring = MidiRing.create(8);
  const sampler = makeSampler(48000, ring);
  ring.trySend(0, 0x12, 0x34, 0x56);
  ring.trySend(0, 0x90, 0xff, 0xff);
  ring.trySend(0, 0x90, 60, 100, 1);
  const out = render(sampler, 512);
  assert.equal(onset(out), -1);
  assert.equal(ring.stats().invalid, 3);
});

test('bad construction arguments give clear errors', () => {
  assert.throws(() => new WasmSampler(48000, new SharedArrayBuffer(4096), 64), /not a MIDI ring/);
  const ring = MidiRing.create(8);
  assert.throws(() => new WasmSampler(NaN, ring.buffer, 64), /sample rate/);
  const s = new WasmSampler(48000, ring.buffer, 64);
  const sample = (length) => ({ channels: [new Float32Array(length)], sampleRate: 48000 });
  assert.throws(() => loadNow(s, wasm.memory, [{ channels: [new Float32Array(10), new Float32Array(5)], sampleRate: 48000 }], []), /sample 0: the sample's channels differ in length/);
  assert.throws(() => loadNow(s, wasm.memory, [sample(10)], [{ sample: 3, root_key: 60 }]), /region 0 refers to sample 3/);
  assert.throws(() => loadNow(s, wasm.memory, [sample(10)], [{ key_lo: 'x' }]), /bad region 0/);
  assert.throws(() => loadNow(s, wasm.memory, [{ channels: [new Float32Array(10)], sampleRate: NaN }], []), /sample 0: sample rate NaN Hz is not usable/);
});
