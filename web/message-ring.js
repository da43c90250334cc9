// The fallback event path for pages without cross-origin isolation, where
// SharedArrayBuffer does not exist: events are batched and posted to the
// worklet, which writes them into a ring of its own (a plain ArrayBuffer
// read by the same wasm consumer).
//
// Timing: every event still carries its sample frame, so one that arrives
// before its frame is rendered plays exactly on it. Delivery by message
// takes a few milliseconds and is not bounded, so events that arrive after
// their frame are applied at the next quantum (counted as late): block
// quantized, like the peers that use postMessage.
//
// Same producer interface as MidiRing (trySend, stats, capacity, fill,
// dropped) so the Sampler does not care which one it has.

/** Numbers per event in a posted batch: frame, status, data1, data2, length, port, flags. */
import { MAX_EXACT_FRAME } from './ring.js';

export const EVENT_FIELDS = 7;
/** How often the worklet posts its counters back, in seconds. */
export const STATS_INTERVAL_SECONDS = 0.25;

export class MessageRing {
  /** `port`: the AudioWorkletNode's MessagePort (or null until `attach`). */
  constructor(port, capacity) {
    this.port = port;
    this.capacity = capacity;
    this._batch = [];
    this._flushQueued = false;
    this._snapshot = null;
    this._sent = 0;
  }

  /**
   * Sends to another worklet from now on (a restarted engine; null after
   * dispose). Its counters start at zero; events not yet posted go to it.
   */
  attach(port) {
    this.port = port;
    this._snapshot = null;
    this._sent = this._batch.length / EVENT_FIELDS;
  }

  trySend(frame, status, data1 = 0, data2 = 0, length = 3, port = 0, flags = 0) {
    if (!(Math.abs(frame) < MAX_EXACT_FRAME)) throw new RangeError(`event frame must be a finite number below 2^53, got ${frame}`);
    this._batch.push(frame > 0 ? Math.floor(frame) : 0, status & 0xff, data1 & 0xff, data2 & 0xff, length & 0xff, port & 0xff, flags & 0xff);
    this._sent++;
    // One message per task: a chord or a burst of MIDI goes as one batch.
    if (!this._flushQueued) {
      this._flushQueued = true;
      queueMicrotask(() => this.flush());
    }
    // The worklet's ring may still be full when the batch arrives; such
    // drops are counted there and show in stats().dropped (and ringDropped).
    return true;
  }

  /** Posts the events queued so far. */
  flush() {
    this._flushQueued = false;
    if (this._batch.length === 0 || !this.port) return;
    const events = Float64Array.from(this._batch);
    this._batch.length = 0;
    this.port.postMessage({ type: 'events', events }, [events.buffer]);
  }

  /** The worklet's latest counters (see `onStats`). */
  stats() {
    const s = this._snapshot ?? {
      received: 0, late: 0, quanta: 0, activeVoices: 0, queueDropped: 0, queued: 0, maxFill: 0,
      invalid: 0, dspLoad: null, overBudget: 0, layersDropped: 0, voicesCut: 0, ringDropped: 0, dropped: 0, fill: 0, capacity: this.capacity,
    };
    // Every event sent is received, in the worklet's ring, refused by that
    // ring, or still on its way; those on their way count as fill too.
    // (Queue drops happen after receipt: they are part of `received`.)
    const inFlight = Math.max(0, this._sent - s.received - s.fill - s.ringDropped);
    return { ...s, fill: s.fill + inFlight };
  }

  get fill() {
    return this.stats().fill;
  }

  /** Events lost, for any reason (see MidiRing.stats). */
  get dropped() {
    return this.stats().dropped;
  }

  /** Called with each counters message from the worklet. */
  onStats(stats) {
    this._snapshot = stats;
  }
}
