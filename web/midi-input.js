// Web MIDI input: access, device tracking, and splitting raw bytes into
// channel messages for the ring.

import { SamplerError } from './errors.js';

/** Data bytes after each channel status nibble (0x8n .. 0xEn). */
const DATA_LENGTH = { 0x8: 2, 0x9: 2, 0xa: 2, 0xb: 2, 0xc: 1, 0xd: 1, 0xe: 2 };

/**
 * Calls `emit(status, data1, data2, length)` for each channel message in
 * `bytes`, supporting running status. System messages (clock, sysex, ...)
 * are skipped: the engine does not use them, and clock alone would be 24
 * events per beat. Stray data bytes without a status are skipped.
 */
export function forEachChannelMessage(bytes, emit) {
  let running = 0;
  for (let i = 0; i < bytes.length; ) {
    let b = bytes[i];
    if (b >= 0xf8) { i += 1; continue; } // real-time: may appear anywhere
    if (b === 0xf0) { // sysex: skip to its end
      while (i < bytes.length && bytes[i] !== 0xf7) i += 1;
      i += 1;
      running = 0;
      continue;
    }
    if (b >= 0xf0) { running = 0; i += 1; while (i < bytes.length && bytes[i] < 0x80) i += 1; continue; }
    if (b >= 0x80) { running = b; i += 1; } else if (running === 0) { i += 1; continue; }
    const n = DATA_LENGTH[running >> 4];
    if (i + n > bytes.length) return; // truncated message
    let interrupted = -1;
    for (let k = n - 1; k >= 0; k--) if (bytes[i + k] >= 0x80) interrupted = k;
    if (interrupted >= 0) { // a status byte cut the message short: resume at it
      i += interrupted;
      continue;
    }
    emit(running, bytes[i], n === 2 ? bytes[i + 1] : 0, n + 1);
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
