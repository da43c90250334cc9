// Web MIDI input: access, device tracking, and splitting raw bytes into
// channel messages for the ring.

import { SamplerError } from './errors.js';
import { describe } from './arguments.js';

/** The most bytes one call may pass (a bound on the work it can cause). */
export const MAX_MIDI_BYTES = 65536;

/** Data bytes after each channel status nibble (0x8n .. 0xEn). */
const DATA_LENGTH = { 0x8: 2, 0x9: 2, 0xa: 2, 0xb: 2, 0xc: 1, 0xd: 1, 0xe: 2 };

/**
 * Checks that `bytes` is an array-like of at most MAX_MIDI_BYTES integers
 * in 0..255 and returns them as a Uint8Array (`bytes` itself when it is
 * one; otherwise a copy, so what was checked is what is read). Throws a
 * TypeError for something that is not an array-like of numbers, a
 * RangeError for a length or a number out of range.
 */
export function midiBytes(bytes, what = 'MIDI bytes') {
  if (bytes instanceof Uint8Array) {
    if (bytes.length > MAX_MIDI_BYTES) throw new RangeError(`${what}: at most ${MAX_MIDI_BYTES} bytes at once, got ${bytes.length}`);
    return bytes;
  }
  if (bytes === null || typeof bytes !== 'object' || typeof bytes.length !== 'number') {
    throw new TypeError(`${what} must be an array of numbers 0..255, got ${describe(bytes)}`);
  }
  const length = bytes.length;
  if (!(Number.isInteger(length) && length >= 0 && length <= MAX_MIDI_BYTES)) {
    throw new RangeError(`${what}: the length must be an integer in 0..${MAX_MIDI_BYTES}, got ${length}`);
  }
  const copy = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const b = bytes[i];
    if (typeof b !== 'number') throw new TypeError(`${what}: byte ${i} must be a number 0..255, got ${describe(b)}`);
    if (!(Number.isInteger(b) && b >= 0 && b <= 255)) throw new RangeError(`${what}: byte ${i} must be an integer in 0..255, got ${b}`);
    copy[i] = b;
  }
  return copy;
}

/**
 * Calls `emit(status, data1, data2, length)` for each channel message in
 * `bytes`, supporting running status. System messages (clock, sysex, ...)
 * are skipped: the engine does not use them, and clock alone would be 24
 * events per beat. Stray data bytes without a status are skipped. A sysex
 * ends at 0xF7 or at any other status byte except real-time ones (0xF8..
 * 0xFF may interleave with it), which then starts the next message.
 * `bytes` is checked first (see midiBytes): when it throws, nothing has been
 * emitted.
 */
export function forEachChannelMessage(bytes, emit) {
  const data = midiBytes(bytes);
  let running = 0;
  for (let i = 0; i < data.length; ) {
    const b = data[i];
    if (b >= 0xf8) { i += 1; continue; } // real-time: may appear anywhere
    if (b === 0xf0) { // sysex: skip to its end, or to the next non-real-time status
      i += 1;
      while (i < data.length && (data[i] < 0x80 || data[i] >= 0xf8)) i += 1;
      if (data[i] === 0xf7) i += 1;
      running = 0;
      continue;
    }
    if (b >= 0xf0) { running = 0; i += 1; while (i < data.length && data[i] < 0x80) i += 1; continue; }
    if (b >= 0x80) { running = b; i += 1; } else if (running === 0) { i += 1; continue; }
    const n = DATA_LENGTH[running >> 4];
    if (i + n > data.length) return; // truncated message
    let interrupted = -1;
    for (let k = n - 1; k >= 0; k--) if (data[i + k] >= 0x80) interrupted = k;
    if (interrupted >= 0) { // a status byte cut the message short: resume at it
      i += interrupted;
      continue;
    }
    emit(running, data[i], n === 2 ? data[i + 1] : 0, n + 1);
    i += n;
  }
}

/** navigator.requestMIDIAccess(), with errors a page can show. */
export async function requestMidiAccess(nav = globalThis.navigator) {
  if (!nav || typeof nav.requestMIDIAccess !== 'function') {
    throw new SamplerError(
      'midi-unavailable',
      'This browser has no Web MIDI (Safari, or Firefox without the permission add-on). ' +
        'Use the on-screen or computer keyboard, or open the page in Chrome or Edge.',
    );
  }
  try {
    return await nav.requestMIDIAccess({ sysex: false });
  } catch (err) {
    throw new SamplerError(
      'midi-unavailable',
      `MIDI access was refused (${err && err.name ? err.name : err}). Allow MIDI for this site in the ` +
        'browser\'s site settings and reload; the on-screen keyboard works meanwhile.',
      { cause: err },
    );
  }
}

/**
 * Listens to one input or all of them (following hot-plug) and hands each
 * channel message with its timestamp to `deliver(status, d1, d2, length,
 * timeStamp, port)`. `activity(input)` is called per message, for lights
 * (also for messages the channel filter drops, so a device sending on
 * another channel still shows it is alive). `channelFilter(channel)`, when
 * set, keeps only the messages of channels (0..15) for which it is true.
 */
export class MidiInputs {
  constructor(access, deliver, activity = () => {}) {
    /** Web MIDI plays into the sampler (see MidiUnavailable for the other case). */
    this.available = true;
    this.error = null;
    this.access = access;
    this.deliver = deliver;
    this.activity = activity;
    this.selection = null;
    this.channelFilter = null;
    this.listening = new Map(); // input id -> listener
    this.ports = new Map(); // input id -> small port number
    this.onStateChange = () => this.refresh();
    access.addEventListener?.('statechange', this.onStateChange);
  }

  /** The inputs currently connected. */
  inputs() {
    return [...this.access.inputs.values()];
  }

  /** Listen to `'all'`, an input id, a MIDIInput, or null for none. */
  select(selection) {
    this.selection = selection && typeof selection === 'object' ? selection.id : selection;
    this.refresh();
  }

  refresh() {
    const wanted = new Set(
      this.inputs()
        .filter((i) => i.state !== 'disconnected')
        .filter((i) => this.selection === 'all' || i.id === this.selection)
        .map((i) => i.id),
    );
    for (const [id, { input, listener }] of this.listening) {
      if (!wanted.has(id)) {
        input.removeEventListener('midimessage', listener);
        this.listening.delete(id);
      }
    }
    for (const input of this.inputs()) {
      if (!wanted.has(input.id) || this.listening.has(input.id)) continue;
      if (!this.ports.has(input.id)) this.ports.set(input.id, this.ports.size & 0xff);
      const port = this.ports.get(input.id);
      const listener = (e) => {
        this.activity(input);
        forEachChannelMessage(e.data, (s, d1, d2, len) => {
          if (this.channelFilter && !this.channelFilter(s & 0x0f)) return;
          this.deliver(s, d1, d2, len, e.timeStamp, port);
        });
      };
      input.addEventListener('midimessage', listener);
      this.listening.set(input.id, { input, listener });
    }
  }

  close() {
    this.select(null);
    this.access.removeEventListener?.('statechange', this.onStateChange);
  }
}

/**
 * What connectMidiInput resolves to when the browser has no Web MIDI or
 * access was refused: the rest of the sampler plays on, `error` says why
 * (SamplerError 'midi-unavailable'), and the methods of MidiInputs do
 * nothing (there is nothing to list or listen to).
 */
export class MidiUnavailable {
  constructor(error, selection) {
    this.available = false;
    this.error = error;
    this.access = null;
    this.channelFilter = null;
    this.selection = null;
    this.select(selection);
  }

  inputs() {
    return [];
  }

  select(selection) {
    this.selection = selection && typeof selection === 'object' ? selection.id : selection;
  }

  close() {
    this.select(null);
  }
}
