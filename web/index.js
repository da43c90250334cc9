// wasm-midi-sampler: a sample-accurate sampler in an AudioWorklet.
//
//   const sampler = await createSampler(audioContext);
//   sampler.node.connect(audioContext.destination);
//   await sampler.loadSamples([{ url: 'C4.wav', rootKey: 60 }]);
//   sampler.noteOn(60, 100, { time: audioContext.currentTime + 0.5 });
//
// Events go into a SharedArrayBuffer ring that the worklet drains every
// render quantum; each is applied at its own sample frame.

import { MidiRing, FLAG_IMMEDIATE, MAX_CAPACITY as MAX_RING_CAPACITY } from './ring.js';
import { MessageRing } from './message-ring.js';
import { ContextClock, defaultScheduleDelay } from './clock.js';
import { SamplerError, isolationProblem } from './errors.js';
import { MidiInputs, requestMidiAccess, forEachChannelMessage } from './midi-input.js';
import { initLoader, decodeSample, bufferChannels, encodeInstrument } from './instrument-loader.js';
import { readInstrument, Progress } from './load-instrument.js';
import { nearestRootRanges } from './note-mapping.js';

export { SamplerError, isolationProblem, MidiRing, forEachChannelMessage, nearestRootRanges };

const WORKLET_URL = new URL('./generated/sampler-worklet.js', import.meta.url);
const WASM_URL = new URL('./generated/sampler_wasm_bg.wasm', import.meta.url);
const PROCESSOR_NAME = 'wasm-sampler';

let modulePromise = null;
const workletLoaded = new WeakMap(); // context -> Promise

/** Compiles the engine once per page (the worklet scope cannot fetch). */
function compileEngine() {
  modulePromise ??= (async () => {
    const response = await fetch(WASM_URL);
    if (!response.ok) throw new Error(`${WASM_URL}: HTTP ${response.status}`);
    return WebAssembly.compile(await response.arrayBuffer());
  })().catch((err) => {
    modulePromise = null;
    throw new SamplerError('wasm-load', `could not load the sampler engine: ${err.message}`, { cause: err });
  });
  return modulePromise;
}

function addWorklet(context) {
  if (!context.audioWorklet) {
    throw new SamplerError('no-audio-worklet', 'this browser or context has no AudioWorklet (it needs a secure context: https or localhost)');
  }
  if (!workletLoaded.has(context)) {
    const loading = context.audioWorklet.addModule(WORKLET_URL).catch((err) => {
      workletLoaded.delete(context);
      throw new SamplerError('worklet-load', `could not load the sampler's worklet script ${WORKLET_URL}: ${err.message}`, { cause: err });
    });
    workletLoaded.set(context, loading);
  }
  return workletLoaded.get(context);
}

/**
 * Creates a sampler on `context` (an AudioContext or OfflineAudioContext).
 * Options: maxPolyphony (256), ringCapacity (1024 events),
 * latencyMode ('constant' | 'lowest'), scheduleDelay (seconds),
 * transport ('auto', the default: 'shared' when the page is cross-origin
 * isolated, else 'message'; 'shared' alone throws 'not-isolated' instead of
 * falling back).
 */
export async function createSampler(context, options = {}) {
  if (!(context instanceof BaseAudioContext)) throw new TypeError('createSampler needs an AudioContext or OfflineAudioContext');
  checkOptions(options);
  const transport = chooseTransport(options.transport ?? 'auto');
  const [module] = await Promise.all([compileEngine(), addWorklet(context)]);
  initLoader(module);
  const ring = MidiRing.create(options.ringCapacity ?? 1024, { shared: transport === 'shared' });
  const node = new AudioWorkletNode(context, PROCESSOR_NAME, {
    numberOfInputs: 0,
    numberOfOutputs: 1,
    outputChannelCount: [2],
    processorOptions: { module, ring: ring.buffer, maxPolyphony: options.maxPolyphony ?? 256, transport },
  });
  giveTaskChannel(node);
  const producer = transport === 'shared' ? ring : new MessageRing(node.port, ring.capacity);
  const sampler = new Sampler(context, node, producer, options);
  await sampler._ready;
  return sampler;
}

/**
 * The worklet copies instruments in by tasks it posts to itself, on a
 * channel whose both ends it holds (the worklet scope has no MessageChannel).
 */
function giveTaskChannel(node) {
  const { port1, port2 } = new MessageChannel();
  node.port.postMessage({ type: 'task-ports', ports: [port1, port2] }, [port1, port2]);
}

function chooseTransport(requested) {
  if (!['auto', 'shared', 'message'].includes(requested)) {
    throw new RangeError(`transport must be 'auto', 'shared' or 'message', got ${requested}`);
  }
  const problem = isolationProblem();
  if (requested === 'shared' && problem) throw new SamplerError('not-isolated', problem);
  if (requested === 'auto') return problem ? 'message' : 'shared';
  return requested;
}

function checkOptions({ maxPolyphony, ringCapacity, scheduleDelay }) {
  if (maxPolyphony !== undefined && !(Number.isInteger(maxPolyphony) && maxPolyphony >= 1 && maxPolyphony <= 4096)) {
    throw new RangeError(`maxPolyphony must be an integer in 1..4096, got ${maxPolyphony}`);
  }
  if (ringCapacity !== undefined && !(Number.isInteger(ringCapacity) && ringCapacity >= 2 && ringCapacity <= MAX_RING_CAPACITY)) {
    throw new RangeError(`ringCapacity must be an integer in 2..${MAX_RING_CAPACITY}, got ${ringCapacity}`);
  }
  if (scheduleDelay !== undefined) checkDelay(scheduleDelay);
}

function checkDelay(seconds) {
  if (!(seconds >= 0 && seconds < 1)) throw new RangeError(`schedule delay must be in [0, 1) s, got ${seconds}`);
}

export class Sampler {
  constructor(context, node, ring, options) {
    this.context = context;
    this.node = node;
    this.ring = ring;
    /** 'shared': the SharedArrayBuffer ring; 'message': the postMessage fallback. */
    this.transport = ring instanceof MessageRing ? 'message' : 'shared';
    this.clock = new ContextClock(context, options.scheduleDelay ?? defaultScheduleDelay(context));
    this.latencyMode = options.latencyMode ?? 'constant';
    this.midi = null;
    this._nextId = 1;
    this._waiting = new Map();
    this._errors = [];
    this._ready = new Promise((resolve, reject) => {
      this._waiting.set('ready', { resolve, reject });
    });
    node.port.onmessage = (e) => this._onMessage(e.data);
    node.onprocessorerror = () => this._onMessage({ type: 'error', message: 'the audio processor crashed' });
  }

  _onMessage(msg) {
    if (msg.type === 'ready') {
      this.dspClock = msg.clock;
      this._settle('ready', null, msg);
    } else if (msg.type === 'instrument-loaded' || msg.type === 'settings-applied') {
      this._settle(msg.id, null, msg);
    } else if (msg.type === 'stats') {
      this.ring.onStats?.(msg.stats);
    } else if (msg.type === 'synced') {
      if (msg.stats) this.ring.onStats?.(msg.stats);
      this._settle(msg.id, null, msg);
    } else if (msg.type === 'error') {
      const err = new SamplerError(msg.code ?? (msg.id?.startsWith('instrument') ? 'instrument' : 'worklet-failed'), msg.message);
      this._errors.push(err);
      if (!this._settle(msg.id ?? 'ready', err)) this.onerror?.(err);
    }
  }

  _settle(key, err, value) {
    const w = this._waiting.get(key);
    if (!w) return false;
    this._waiting.delete(key);
    if (err) w.reject(err);
    else w.resolve(value);
    return true;
  }

  /** Errors reported by the audio thread so far. */
  get errors() {
    return [...this._errors];
  }

  /** Seconds from a key press to sound at the speaker, in the current mode. */
  get latency() {
    if (this.latencyMode === 'constant') return this.clock.delaySeconds;
    const ctx = this.context;
    // Next quantum: on average half a quantum of waiting, plus the output path.
    return (ctx.baseLatency || 0) + (ctx.outputLatency || 0) + 64 / ctx.sampleRate;
  }

  get scheduleDelay() {
    return this.clock.delaySeconds;
  }

  set scheduleDelay(seconds) {
    checkDelay(seconds);
    this.clock.delaySeconds = seconds;
  }

  /**
   * Sends raw MIDI bytes (one or more channel messages). `time` is in
   * context seconds; `timestamp` (performance.now() clock, as on MIDI
   * events) is used when `time` is absent. Returns false if any message was
   * dropped because the ring was full.
   */
  sendMidi(bytes, time, { timestamp, port = 0 } = {}) {
    if (typeof bytes?.length !== 'number') throw new TypeError('sendMidi needs an array of MIDI bytes');
    let ok = true;
    forEachChannelMessage(bytes, (s, d1, d2, len) => {
      ok = this._send(s, d1, d2, len, time, timestamp, port) && ok;
    });
    return ok;
  }

  noteOn(note, velocity = 100, { time, channel = 0 } = {}) {
    checkData('note', note);
    checkData('velocity', velocity);
    return this._send(0x90 | checkChannel(channel), note, velocity, 3, time);
  }

  noteOff(note, { time, channel = 0, velocity = 0 } = {}) {
    checkData('note', note);
    return this._send(0x80 | checkChannel(channel), note, velocity, 3, time);
  }

  controlChange(controller, value, { time, channel = 0 } = {}) {
    checkData('controller', controller);
    checkData('value', value);
    return this._send(0xb0 | checkChannel(channel), controller, value, 3, time);
  }

  /** `value` in -8192..8191. */
  pitchBend(value, { time, channel = 0 } = {}) {
    if (!Number.isInteger(value) || value < -8192 || value > 8191) throw new RangeError(`pitch bend must be an integer in -8192..8191, got ${value}`);
    const v = value + 8192;
    return this._send(0xe0 | checkChannel(channel), v & 0x7f, v >> 7, 3, time);
  }

  programChange(program, { time, channel = 0 } = {}) {
    checkData('program', program);
    return this._send(0xc0 | checkChannel(channel), program, 0, 2, time);
  }

  /** All Notes Off on every channel (or one). */
  allNotesOff({ time, channel } = {}) {
    return channelsOf(channel).map((c) => this._send(0xb0 | c, 123, 0, 3, time)).every(Boolean);
  }

  _send(status, d1, d2, length, time, timestamp, port = 0) {
    let frame = 0;
    let flags = 0;
    if (time !== undefined && time !== null) {
      if (!Number.isFinite(time)) throw new RangeError(`time must be a finite number of seconds, got ${time}`);
      frame = this.clock.frameAtTime(time);
    } else if (this.latencyMode === 'lowest') {
      flags = FLAG_IMMEDIATE;
    } else {
      frame = this.clock.frameAtPerformanceTime(timestamp ?? performance.now());
    }
    return this.ring.trySend(frame, status, d1, d2, length, port, flags);
  }

  /**
   * Loads an instrument from sample entries and swaps it in when complete
   * (notes of the current instrument ring out). Each entry: `{ url }` or
   * `{ audioBuffer }` or `{ channels: Float32Array[], sampleRate }`, with
   * `rootKey` and optional `keyLo`, `keyHi`, `velLo`, `velHi`, `tuneCents`,
   * `gain`. Entries without key ranges get the keys nearest their root.
   */
  async loadSamples(entries, { onProgress, releaseSeconds } = {}) {
    if (!Array.isArray(entries) || entries.length === 0) throw new TypeError('loadSamples needs a non-empty array of sample entries');
    entries.forEach((e, i) => {
      if (!(e?.url || e?.audioBuffer || e?.channels)) throw new TypeError(`sample entry ${i} has no url, audioBuffer or channels`);
      checkData(`rootKey of sample entry ${i}`, e.rootKey);
    });
    const ranges = nearestRootRanges(entries.map((e) => e.rootKey));
    let done = 0;
    const samples = await Promise.all(
      entries.map(async (entry, i) => {
        const sample = await this._decodeEntry(entry, i);
        onProgress?.({ loaded: ++done, total: entries.length });
        return sample;
      }),
    );
    const regions = entries.map((e, i) => ({
      sample: i,
      root_key: e.rootKey,
      key_lo: e.keyLo ?? ranges[i][0],
      key_hi: e.keyHi ?? ranges[i][1],
      vel_lo: e.velLo ?? 1,
      vel_hi: e.velHi ?? 127,
      tune_cents: e.tuneCents ?? 0,
      volume_db: 20 * Math.log10(Math.max(e.gain ?? 1, 1e-7)),
    }));
    return this._sendInstrument(samples, regions, { release_seconds: releaseSeconds });
  }

  /**
   * Loads an instrument and swaps it in when complete (notes of the current
   * one ring out). `source`: a URL (string or URL) of an SFZ (its samples
   * and #includes fetched relative to it), a SoundFont (.sf2/.sf3), a JSON
   * instrument (see web/note-mapping.js) or one audio file; or user files:
   * a File/Blob with a name, a FileList, or an array of Files or
   * `{ file, path }` (paths relative to a dropped folder). Among files, the
   * .sfz/.sf2/.sf3/.json is the instrument and the rest are what it names;
   * without one, the audio files are mapped by the note names in their
   * names (C4.wav, D#3v10.mp3; C4 = MIDI 60).
   *
   * Options: `onProgress({ phase, loadedBytes, totalBytes, loadedSamples,
   * totalSamples, loaded, total })` (phase 'fetch' | 'decode' |
   * 'transfer'; loaded/total count samples), `sampleFormat` ('int16', the
   * default, or 'float32'), `regionFilter(region, sample)` returning the
   * region (possibly changed) or null to leave it out (not for
   * SoundFonts), `rootKey` for a single audio file without a note name
   * (default 60), `releaseSeconds` for audio files, `bank` and `program`
   * for SoundFonts (default: the first preset).
   *
   * Resolves to { samples, regions, bytes, warnings, kind, name } (kind
   * 'sfz' | 'sf2' | 'sf3' | 'json' | 'audio' | 'files'), plus `presets` and
   * the loaded `preset` for SoundFonts. Fails with a SamplerError: code
   * 'instrument' naming the file and the problem, or
   * 'instrument-too-large' when the samples would not fit in memory.
   */
  async loadInstrument(source, options = {}) {
    const progress = new Progress(options.onProgress);
    const inst = await readInstrument(this.context, source, options, progress);
    progress.report('transfer');
    const result = await this._sendInstrument(inst.samples, inst.regions, inst.options, inst.name);
    const out = { ...result, regions: inst.regions.length, warnings: inst.warnings, kind: inst.kind, name: inst.name };
    if (inst.presets) Object.assign(out, { presets: inst.presets, preset: inst.preset });
    return out;
  }

  /**
   * Checks the regions and sends them (as bytes) with the finished samples
   * to the worklet, which copies them in, in bounded steps between render
   * quanta, and swaps the instrument in. Bad regions and an instrument
   * larger than wasm32 memory can ever hold are refused here, before
   * anything is sent; the worklet finds out what its memory can really
   * grow to.
   */
  async _sendInstrument(samples, regions, options, name = 'the instrument') {
    if (this._disposed) throw new SamplerError('disposed', 'the sampler was disposed');
    const bytes = instrumentBytes(samples);
    if (bytes > MAX_INSTRUMENT_BYTES) {
      throw new SamplerError(
        'instrument-too-large',
        `${name}: its samples need ${(bytes / 1048576).toFixed(1)} MiB, more than the ${MAX_INSTRUMENT_BYTES / 1048576} MiB the audio engine's 32-bit wasm memory can hold`,
      );
    }
    let encoded;
    try {
      encoded = encodeInstrument(regions, options, samples);
    } catch (err) {
      throw new SamplerError('instrument', `${name}: ${err.message}`, { cause: err });
    }
    const transfer = [encoded.buffer, ...samples.flatMap((s) => s.channels.map((c) => c.buffer))];
    const message = {
      samples: samples.map(({ channels, sampleRate }) => ({ channels, sampleRate })),
      regions: encoded,
      regionCount: regions.length,
    };
    let reply;
    try {
      reply = await this._request('instrument', message, transfer);
    } catch (err) {
      if (err.code === 'instrument-too-large' || err.code === 'instrument') err.message = `${name}: ${err.message}`;
      throw err;
    }
    // How the copy into the engine went: in how many steps (tasks on the
    // audio thread), the longest in ms (null without a fine clock there).
    return { samples: samples.length, bytes: reply.bytes, copySteps: reply.steps, longestCopyMs: reply.longestStepMs };
  }

  async _decodeEntry(entry, index) {
    const where = entry.url ?? `entry ${index}`;
    try {
      if (entry.channels) {
        return { channels: entry.channels.map((c) => Float32Array.from(c)), sampleRate: entry.sampleRate };
      }
      if (entry.audioBuffer) return bufferChannels(entry.audioBuffer, false);
      return await decodeSample(this.context, entry.url, false);
    } catch (err) {
      throw new SamplerError('instrument', `${where}: ${err.message}`, { cause: err });
    }
  }

  /**
   * Plays from Web MIDI: `'all'` inputs (following hot-plug), one input or
   * its id. Resolves to the MidiInputs tracker (for listing devices).
   * `onActivity(input)` and `onMessage(status, data1, data2)` observe what
   * arrives (for activity lights and key displays). `channelFilter(channel)`
   * (channel 0..15) keeps only the channels it returns true for, before they
   * reach the sampler or onMessage; each call that passes it replaces it.
   */
  async connectMidiInput(selection = 'all', { onActivity, onMessage, access, channelFilter } = {}) {
    if (!this.midi) {
      const midiAccess = access ?? (await requestMidiAccess());
      this.midi = new MidiInputs(
        midiAccess,
        (s, d1, d2, len, timeStamp, port) => {
          this._send(s, d1, d2, len, undefined, timeStamp, port);
          onMessage?.(s, d1, d2);
        },
        onActivity,
      );
    }
    if (channelFilter !== undefined) this.midi.channelFilter = channelFilter;
    this.midi.select(selection);
    return this.midi;
  }

  disconnectMidi() {
    this.midi?.close();
    this.midi = null;
  }

  setMasterGain(gain) {
    if (!(gain >= 0 && gain < Infinity)) throw new RangeError(`master gain must be a finite number >= 0, got ${gain}`);
    this.node.port.postMessage({ type: 'master-gain', gain });
  }

  /**
   * The most voices that sound at once (1 up to the `maxPolyphony` given to
   * createSampler); more notes steal. Resolves to the cap in effect.
   */
  async setPolyphony(voices) {
    if (!Number.isInteger(voices) || voices < 1) throw new RangeError(`polyphony must be a positive integer, got ${voices}`);
    return (await this._settings({ polyphony: voices })).polyphony;
  }

  /** 'linear' (cheapest) or 'hermite' (cubic, cleaner high notes). */
  async setInterpolation(quality) {
    if (quality !== 'linear' && quality !== 'hermite') throw new RangeError(`interpolation must be 'linear' or 'hermite', got ${quality}`);
    await this._settings({ interpolation: quality });
  }

  /**
   * How key velocity maps to the instrument: 'linear' (as played), 'soft'
   * (light playing sounds louder), 'hard' (needs heavy playing) or 'fixed'
   * (every note at `velocity`, default 100).
   */
  async setVelocityCurve(curve, { velocity = 100 } = {}) {
    if (!['linear', 'soft', 'hard', 'fixed'].includes(curve)) {
      throw new RangeError(`velocity curve must be 'linear', 'soft', 'hard' or 'fixed', got ${curve}`);
    }
    checkData('velocity', velocity);
    await this._settings({ velocityCurve: curve, fixedVelocity: velocity });
  }

  /** Semitones (-48..48) added to every note played from now on; held notes keep theirs. */
  async setTranspose(semitones) {
    if (!Number.isInteger(semitones) || Math.abs(semitones) > 48) throw new RangeError(`transpose must be an integer in -48..48, got ${semitones}`);
    await this._settings({ transpose: semitones });
  }

  /**
   * Sets the pitch-bend range (RPN 0) on every channel, or on `channel`,
   * through the event ring like any MIDI message. Returns false if the ring
   * was full.
   */
  setPitchBendRange(semitones, { cents = 0, channel, time } = {}) {
    checkData('semitones', semitones);
    checkData('cents', cents);
    let ok = true;
    for (const c of channelsOf(channel)) {
      // RPN 0 (LSB, MSB), data entry MSB/LSB, then RPN null so a stray
      // data-entry message cannot change it again.
      for (const [cc, value] of [[101, 0], [100, 0], [6, semitones], [38, cents], [101, 127], [100, 127]]) {
        ok = this._send(0xb0 | c, cc, value, 3, time) && ok;
      }
    }
    return ok;
  }

  /**
   * Resolves once the worklet has every event sent so far (and, with the
   * 'message' transport, after stats() reflects them). With the shared ring
   * events are there the moment a send returns; with messages they are
   * not, so call this before OfflineAudioContext.startRendering().
   */
  async sync() {
    if (this.transport === 'shared') return;
    this.ring.flush();
    await this._request('sync');
  }

  async _settings(settings) {
    return (await this._request('settings', settings)).applied;
  }

  /**
   * Posts a `type` message with a fresh id; resolves with the worklet's
   * reply to that id (rejects with the error it reports for it). Ids start
   * with the type, which names the error code of an unexplained failure.
   */
  _request(type, fields = {}, transfer = []) {
    const id = `${type}-${this._nextId++}`;
    const reply = new Promise((resolve, reject) => this._waiting.set(id, { resolve, reject }));
    this.node.port.postMessage({ type, id, ...fields }, transfer);
    return reply;
  }

  /** Counters from the shared buffer; cheap enough to poll every frame. */
  stats() {
    return this.ring.stats();
  }

  dispose() {
    this._disposed = true;
    this.disconnectMidi();
    this.node.disconnect();
    this.node.port.onmessage = null;
    for (const w of this._waiting.values()) w.reject(new SamplerError('disposed', 'the sampler was disposed'));
    this._waiting.clear();
  }
}

/**
 * The most sample memory an instrument may need: wasm32 addresses 4 GiB,
 * less room for the engine itself and the instrument being replaced.
 */
export const MAX_INSTRUMENT_BYTES = 4096 * 1048576 - 256 * 1048576;

/** Bytes an instrument's samples take, as transferred (and stored). */
export function instrumentBytes(samples) {
  let bytes = 0;
  for (const s of samples) for (const c of s.channels) bytes += c.byteLength;
  return bytes;
}

/** Every channel, or just `channel` (checked). */
function channelsOf(channel) {
  return channel === undefined ? [...Array(16).keys()] : [checkChannel(channel)];
}

function checkData(name, value) {
  if (!Number.isInteger(value) || value < 0 || value > 127) throw new RangeError(`${name} must be an integer in 0..127, got ${value}`);
}

function checkChannel(channel) {
  if (!Number.isInteger(channel) || channel < 0 || channel > 15) throw new RangeError(`channel must be an integer in 0..15, got ${channel}`);
  return channel;
}
