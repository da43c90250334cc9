// The producing end of the MIDI event ring (main thread). The consuming end
// is Rust (crates/midi-ring) running in the audio worklet. Layout and
// protocol: crates/midi-ring/src/layout.rs.
//
// trySend never waits and never allocates: when the ring is full the event
// is dropped, counted in the shared buffer, and trySend returns false.

import * as L from './ring-layout.js';

const TWO_32 = 2 ** 32;

export class RingLayoutError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RingLayoutError';
  }
}

export class MidiRing {
  /**
   * A new ring in a new SharedArrayBuffer. `capacity` is rounded up to a
   * power of two (2 .. 2^20).
   */
  static create(capacity = 1024) {
    if (typeof SharedArrayBuffer === 'undefined') {
      throw new RingLayoutError(
        'SharedArrayBuffer is unavailable: the page must be cross-origin isolated ' +
          '(Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)',
      );
    }
    let cap = 2;
    while (cap < capacity && cap < L.MAX_CAPACITY) cap *= 2;
    const buffer = new SharedArrayBuffer(L.ringBytes(cap));
    const words = new Int32Array(buffer);
    words[L.W_MAGIC] = L.MAGIC;
    words[L.W_VERSION] = L.VERSION;
    Atomics.store(words, L.W_CAPACITY, cap);
    return new MidiRing(buffer);
  }

  /** Attaches to a ring created elsewhere (checks its header). */
  constructor(buffer) {
    const words = new Int32Array(buffer);
    if (words.length < L.HEADER_WORDS) throw new RingLayoutError('buffer too small for a MIDI ring');
    const magic = Atomics.load(words, L.W_MAGIC) >>> 0;
    if (magic !== L.MAGIC) throw new RingLayoutError(`not a MIDI ring (magic 0x${magic.toString(16)})`);
    const version = Atomics.load(words, L.W_VERSION);
    if (version !== L.VERSION) {
      throw new RingLayoutError(`MIDI ring layout version ${version}, this code understands ${L.VERSION}`);
    }
    const capacity = Atomics.load(words, L.W_CAPACITY);
    if (capacity < 2 || capacity > L.MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) {
      throw new RingLayoutError(`bad MIDI ring capacity ${capacity}`);
    }
    if (buffer.byteLength < L.ringBytes(capacity)) throw new RingLayoutError('buffer too small for its capacity');
    this.buffer = buffer;
    this.capacity = capacity;
    this._words = words;
    this._mask = capacity - 1;
    // Only this producer stores the write index; keep our own copy.
    this._write = Atomics.load(words, L.W_WRITE_INDEX) >>> 0;
  }

  /**
   * Publishes one MIDI message for `frame` (a context sample frame, an
   * integer >= 0). Returns false, and counts a drop, when the ring is full.
   */
  trySend(frame, status, data1 = 0, data2 = 0, length = 3, port = 0, flags = 0) {
    if (!Number.isFinite(frame)) throw new RangeError(`event frame must be a finite number, got ${frame}`);
    const w = this._words;
    const write = this._write;
    // Acquire (Atomics are sequentially consistent): the consumer is done
    // with every slot below the read index it published.
    const read = Atomics.load(w, L.W_READ_INDEX) >>> 0;
    if (((write - read) >>> 0) >= this.capacity) {
      Atomics.add(w, L.W_DROPPED, 1);
      return false;
    }
    const f = frame > 0 ? Math.floor(frame) : 0;
    const base = L.HEADER_WORDS + (write & this._mask) * L.RECORD_WORDS;
    w[base] = f % TWO_32;
    w[base + 1] = Math.floor(f / TWO_32);
    w[base + 2] = (status & 0xff) | ((data1 & 0xff) << 8) | ((data2 & 0xff) << 16) | ((length & 0xff) << 24);
    w[base + 3] = (port & 0xff) | ((flags & 0xff) << 8);
    this._write = (write + 1) >>> 0;
    // Release: the record above is visible to a consumer that sees this index.
    Atomics.store(w, L.W_WRITE_INDEX, this._write | 0);
    return true;
  }

  /** Events waiting for the consumer. */
  get fill() {
    return (this._write - (Atomics.load(this._words, L.W_READ_INDEX) >>> 0)) >>> 0;
  }

  /** Events refused because the ring was full. */
  get dropped() {
    return Atomics.load(this._words, L.W_DROPPED) >>> 0;
  }

  /** The consumer's published statistics, plus the producer's counts. */
  stats() {
    const w = this._words;
    const stat = (i) => Atomics.load(w, L.W_STATS + i) >>> 0;
    return {
      received: stat(L.STAT_RECEIVED),
      late: stat(L.STAT_LATE),
      quanta: stat(L.STAT_QUANTA),
      activeVoices: stat(L.STAT_ACTIVE_VOICES),
      queueDropped: stat(L.STAT_QUEUE_DROPPED),
      queued: stat(L.STAT_QUEUED),
      maxFill: stat(L.STAT_MAX_FILL),
      invalid: stat(L.STAT_INVALID),
      dropped: this.dropped,
      fill: this.fill,
      capacity: this.capacity,
    };
  }
}
