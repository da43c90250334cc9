// The JS producer writes exactly the layout documented in
// crates/midi-ring/src/layout.rs, never waits, and counts drops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MidiRing, RingLayoutError } from '../web/ring.js';
import * as L from '../web/ring.js';
import { MessageRing } from '../web/message-ring.js';

function consume(ring, n) {
  // A minimal consumer: frees n slots the way the Rust consumer does.
  const w = new Int32Array(ring.buffer);
  Atomics.store(w, L.W_READ_INDEX, (Atomics.load(w, L.W_READ_INDEX) + n) | 0);
}

test('create writes the header and rounds the capacity up to a power of two', () => {
  const ring = MidiRing.create(100);
  const w = new Int32Array(ring.buffer);
  assert.equal(ring.capacity, 128);
  assert.equal(w[L.W_MAGIC] >>> 0, L.MAGIC);
  assert.equal(new TextDecoder().decode(new Uint8Array(ring.buffer, 0, 4)), 'MRNG');
  assert.equal(w[L.W_VERSION], L.VERSION);
  assert.equal(w[L.W_CAPACITY], 128);
  assert.equal(ring.buffer.byteLength, (L.HEADER_WORDS + 128 * L.RECORD_WORDS) * 4);
  assert.equal(MidiRing.create(1).capacity, 2);
});

test('a record is written word by word as documented', () => {
  const ring = MidiRing.create(4);
  const frame = 2 ** 40 + 12345;
  assert.ok(ring.trySend(frame, 0x93, 60, 100, 3, 5, L.FLAG_IMMEDIATE));
  const w = new Uint32Array(ring.buffer);
  const base = L.HEADER_WORDS;
  assert.equal(w[base], 12345);
  assert.equal(w[base + 1], 2 ** 8);
  assert.deepEqual([...new Uint8Array(ring.buffer, (base + 2) * 4, 8)], [0x93, 60, 100, 3, 5, L.FLAG_IMMEDIATE, 0, 0]);
  assert.equal(w[L.W_WRITE_INDEX], 1);
});

test('a full ring drops the newest event, counts it and never blocks', () => {
  const ring = MidiRing.create(4);
  for (let i = 0; i < 4; i++) assert.ok(ring.trySend(i, 0x90, i, 1));
  assert.equal(ring.trySend(99, 0x90, 99, 1), false);
  assert.equal(ring.trySend(100, 0x90, 100, 1), false);
  assert.equal(ring.dropped, 2);
  assert.equal(ring.fill, 4);
  // The slots still hold the first four events.
  const w = new Uint32Array(ring.buffer);
  for (let i = 0; i < 4; i++) assert.equal(w[L.HEADER_WORDS + i * 4], i);
  consume(ring, 1);
  assert.ok(ring.trySend(5, 0x90, 5, 1));
  assert.equal(w[L.HEADER_WORDS], 5, 'slot 0 reused');
});

test('indices wrap around 2^32', () => {
  const ring0 = MidiRing.create(4);
  const w = new Int32Array(ring0.buffer);
  w[L.W_WRITE_INDEX] = -3; // 2^32 - 3
  w[L.W_READ_INDEX] = -3;
  const ring = new MidiRing(ring0.buffer);
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 4; i++) assert.ok(ring.trySend(i, 0x90, 60, 1));
    assert.equal(ring.fill, 4);
    assert.equal(ring.trySend(0, 0x90, 60, 1), false);
    consume(ring, 4);
    assert.equal(ring.fill, 0);
  }
  assert.equal(w[L.W_WRITE_INDEX] >>> 0, 17);
});

test('attaching checks the header', () => {
  assert.throws(() => new MidiRing(new SharedArrayBuffer(1024)), RingLayoutError);
  const ring = MidiRing.create(8);
  const w = new Int32Array(ring.buffer);
  w[L.W_VERSION] = 99;
  assert.throws(() => new MidiRing(ring.buffer), /version 99/);
  w[L.W_VERSION] = L.VERSION;
  w[L.W_CAPACITY] = 6;
  assert.throws(() => new MidiRing(ring.buffer), /capacity 6/);
});

test('bad frames are refused with a clear error', () => {
  const ring = MidiRing.create(8);
  assert.throws(() => ring.trySend(NaN, 0x90, 60, 1), RangeError);
  assert.throws(() => ring.trySend(Infinity, 0x90, 60, 1), RangeError);
  // Past 2^53 a frame is no longer an exact integer, and past 2^64 it would wrap.
  assert.throws(() => ring.trySend(1e300, 0x90, 60, 1), /frame must be/);
  assert.throws(() => ring.trySend(2 ** 53, 0x90, 60, 1), RangeError);
  assert.equal(ring.fill, 0, 'nothing was written');
  assert.ok(ring.trySend(-5, 0x90, 60, 1), 'negative frames mean "now"');
  assert.equal(new Uint32Array(ring.buffer)[L.HEADER_WORDS], 0);
});

test('stats().dropped counts every event lost: refused by the ring or by the queue of future events', () => {
  const ring = MidiRing.create(2);
  for (let i = 0; i < 5; i++) ring.trySend(i, 0x90, 60, 1);
  // What the consumer publishes after its queue lost 7 events.
  Atomics.store(new Int32Array(ring.buffer), L.W_STATS + L.STAT_QUEUE_DROPPED, 7);
  const s = ring.stats();
  assert.equal(s.ringDropped, 3);
  assert.equal(s.queueDropped, 7);
  assert.equal(s.dropped, 10);
  assert.equal(ring.dropped, 3, 'the producer-side getter counts what trySend refused');
});

test('with the message transport, queue drops do not count as events still on their way', () => {
  const posted = [];
  const messages = new MessageRing({ postMessage: (m) => posted.push(m) }, 16);
  for (let i = 0; i < 12; i++) messages.trySend(1e6 + i, 0x90, 60, 1);
  messages.flush();
  assert.equal(posted.length, 1);
  assert.equal(messages.stats().fill, 12, 'all twelve on their way');
  // The worklet's counters: 6 taken (2 of them then lost from the full
  // queue), 1 still in its ring, 1 refused by its ring; so 4 on their way.
  const worklet = MidiRing.create(16, { shared: false }).stats();
  messages.onStats({ ...worklet, received: 6, queueDropped: 2, ringDropped: 1, dropped: 3, fill: 1 });
  const s = messages.stats();
  assert.equal(s.dropped, 3);
  assert.equal(s.fill, 1 + 4, 'in the ring, and on their way');
  assert.equal(messages.dropped, 3);
});
