// The MIDI event ring: its layout and its producing end (main thread). The
// consuming end is Rust (crates/midi-ring) running in the audio worklet.
// crates/midi-ring/src/layout.rs defines and documents the layout; the
// numbers below mirror it, and tests compare them with the ones compiled
// into the wasm module (`ringLayout()`): change both together.
//
// trySend never waits and never allocates: when the ring is full the event
// is dropped, counted in the shared buffer, and trySend returns false.
// This file imports nothing, so it can be loaded on its own (the wasm tests
// in Chromium do).

export const MAGIC = 0x474e524d; // "MRNG" little-endian
export const VERSION = 1;

export const W_MAGIC = 0;
export const W_VERSION = 1;
export const W_CAPACITY = 2;
export const W_WRITE_INDEX = 16;
export const W_DROPPED = 17;
export const W_READ_INDEX = 32;
export const W_STATS = 33;

export const STAT_RECEIVED = 0;
export const STAT_LATE = 1;
export const STAT_QUANTA = 2;
export const STAT_ACTIVE_VOICES = 3;
export const STAT_QUEUE_DROPPED = 4;
export const STAT_QUEUED = 5;
export const STAT_MAX_FILL = 6;
export const STAT_INVALID = 7;
export const STAT_DSP_LOAD_PPM = 8;
export const STAT_OVER_BUDGET = 9;
export const STAT_LAYERS_DROPPED = 10;
export const STAT_VOICES_CUT = 11;
export const STAT_COUNT = 12;

export const HEADER_WORDS = 64;
export const RECORD_WORDS = 4;
export const FLAG_IMMEDIATE = 1;
export const MAX_CAPACITY = 1 << 20;

/**
 * Names of the constants where `wasmLayout` (the wasm module's
 * `ringLayout()`, camelCase keys) differs from this file; empty when they
 * agree.
 */
export function layoutDifferences(wasmLayout) {
  const ours = { MAGIC, VERSION, W_MAGIC, W_VERSION, W_CAPACITY, W_WRITE_INDEX, W_DROPPED, W_READ_INDEX, W_STATS,
    STAT_RECEIVED, STAT_LATE, STAT_QUANTA, STAT_ACTIVE_VOICES, STAT_QUEUE_DROPPED, STAT_QUEUED, STAT_MAX_FILL,
    STAT_INVALID, STAT_DSP_LOAD_PPM, STAT_OVER_BUDGET, STAT_LAYERS_DROPPED, STAT_VOICES_CUT, STAT_COUNT, HEADER_WORDS, RECORD_WORDS, FLAG_IMMEDIATE, MAX_CAPACITY };
  const camel = (name) => name.toLowerCase().replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  const byCamel = Object.fromEntries(Object.entries(ours).map(([k, v]) => [camel(k), v]));
  const names = new Set([...Object.keys(wasmLayout), ...Object.keys(byCamel)]);
  return [...names].filter((k) => wasmLayout[k] !== byCamel[k]);
}

/** Bytes of a ring holding `capacity` records. */
export function ringBytes(capacity) {
  return (HEADER_WORDS + capacity * RECORD_WORDS) * 4;
}

const TWO_32 = 2 ** 32;
/** Frames from here on are not exact integers any more (and past 2^64 would wrap). */
export const MAX_EXACT_FRAME = 2 ** 53;

export class RingLayoutError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RingLayoutError';
  }
}

export class MidiRing {
  /**
   * A new ring in a new SharedArrayBuffer. `capacity` is rounded up to a
   * power of two (2 .. 2^20). `{ shared: false }` makes it in a plain
   * ArrayBuffer instead, for a producer and consumer on one thread (the
   * worklet, when events arrive by postMessage).
   */
  static create(capacity = 1024, { shared = true } = {}) {
    if (shared && typeof SharedArrayBuffer === 'undefined') {
      throw new RingLayoutError(
        'SharedArrayBuffer is unavailable: the page must be cross-origin isolated ' +
          '(Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)',
      );
    }
    let cap = 2;
    while (cap < capacity && cap < MAX_CAPACITY) cap *= 2;
    const buffer = shared ? new SharedArrayBuffer(ringBytes(cap)) : new ArrayBuffer(ringBytes(cap));
    const words = new Int32Array(buffer);
    words[W_MAGIC] = MAGIC;
    words[W_VERSION] = VERSION;
    Atomics.store(words, W_CAPACITY, cap);
    return new MidiRing(buffer);
  }

  /** Attaches to a ring created elsewhere (checks its header). */
  constructor(buffer) {
    const words = new Int32Array(buffer);
    if (words.length < HEADER_WORDS) throw new RingLayoutError('buffer too small for a MIDI ring');
    const magic = Atomics.load(words, W_MAGIC) >>> 0;
    if (magic !== MAGIC) throw new RingLayoutError(`not a MIDI ring (magic 0x${magic.toString(16)})`);
    const version = Atomics.load(words, W_VERSION);
    if (version !== VERSION) {
      throw new RingLayoutError(`MIDI ring layout version ${version}, this code understands ${VERSION}`);
    }
    const capacity = Atomics.load(words, W_CAPACITY);
    if (capacity < 2 || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) {
      throw new RingLayoutError(`bad MIDI ring capacity ${capacity}`);
    }
    if (buffer.byteLength < ringBytes(capacity)) throw new RingLayoutError('buffer too small for its capacity');
    this.buffer = buffer;
    this.capacity = capacity;
    this._words = words;
    this._mask = capacity - 1;
    // Only this producer stores the write index; keep our own copy.
    this._write = Atomics.load(words, W_WRITE_INDEX) >>> 0;
  }

  /**
   * Publishes one MIDI message for `frame` (a context sample frame, an
   * integer >= 0). Returns false, and counts a drop, when the ring is full.
   */
  trySend(frame, status, data1 = 0, data2 = 0, length = 3, port = 0, flags = 0) {
    if (!(Math.abs(frame) < MAX_EXACT_FRAME)) throw new RangeError(`event frame must be a finite number below 2^53, got ${frame}`);
    const w = this._words;
    const write = this._write;
    // Acquire (Atomics are sequentially consistent): the consumer is done
    // with every slot below the read index it published.
    const read = Atomics.load(w, W_READ_INDEX) >>> 0;
    if (((write - read) >>> 0) >= this.capacity) {
      Atomics.add(w, W_DROPPED, 1);
      return false;
    }
    const f = frame > 0 ? Math.floor(frame) : 0;
    const base = HEADER_WORDS + (write & this._mask) * RECORD_WORDS;
    w[base] = f % TWO_32;
    w[base + 1] = Math.floor(f / TWO_32);
    w[base + 2] = (status & 0xff) | ((data1 & 0xff) << 8) | ((data2 & 0xff) << 16) | ((length & 0xff) << 24);
    w[base + 3] = (port & 0xff) | ((flags & 0xff) << 8);
    this._write = (write + 1) >>> 0;
    // Release: the record above is visible to a consumer that sees this index.
    Atomics.store(w, W_WRITE_INDEX, this._write | 0);
    return true;
  }

  /** Events waiting for the consumer. */
  get fill() {
    return (this._write - (Atomics.load(this._words, W_READ_INDEX) >>> 0)) >>> 0;
  }

  /** Events refused because the ring was full. */
  get dropped() {
    return Atomics.load(this._words, W_DROPPED) >>> 0;
  }

  /**
   * The consumer's published statistics, plus the producer's counts.
   * `dropped` is every event lost, whatever the reason: refused by the full
   * ring (`ringDropped`) or by the consumer's full queue of future events
   * (`queueDropped`).
   */
  stats() {
    const w = this._words;
    const stat = (i) => Atomics.load(w, W_STATS + i) >>> 0;
    const ringDropped = this.dropped;
    const queueDropped = stat(STAT_QUEUE_DROPPED);
    return {
      received: stat(STAT_RECEIVED),
      late: stat(STAT_LATE),
      quanta: stat(STAT_QUANTA),
      activeVoices: stat(STAT_ACTIVE_VOICES),
      queueDropped,
      queued: stat(STAT_QUEUED),
      maxFill: stat(STAT_MAX_FILL),
      invalid: stat(STAT_INVALID),
      // Published about once a second by the worklet; null until then.
      dspLoad: stat(STAT_DSP_LOAD_PPM) > 0 ? stat(STAT_DSP_LOAD_PPM) / 1e6 : null,
      overBudget: stat(STAT_OVER_BUDGET),
      layersDropped: stat(STAT_LAYERS_DROPPED),
      voicesCut: stat(STAT_VOICES_CUT),
      ringDropped,
      dropped: ringDropped + queueDropped,
      fill: this.fill,
      capacity: this.capacity,
    };
  }
}
