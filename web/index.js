// wasm-midi-sampler: a sample-accurate sampler in an AudioWorklet.
//
//   const sampler = await createSampler(audioContext);
//   sampler.node.connect(audioContext.destination);
//   await sampler.loadSamples([{ url: 'C4.wav', rootKey: 60 }]);
//   sampler.noteOn(60, 100, { time: audioContext.currentTime + 0.5 });
//
// Events go into a SharedArrayBuffer ring that the worklet drains every
// render quantum; each is applied at its own sample frame.

import { MidiRing, FLAG_IMMEDIATE, MAX_CAPACITY as MAX_RING_CAPACITY, W_WRITE_INDEX } from './ring.js';
import { MessageRing } from './message-ring.js';
import { ContextClock, defaultScheduleDelay, lowestLatency, lowestLateAfter } from './clock.js';
import { SamplerError, isolationProblem, aboutFile } from './errors.js';
import { MidiInputs, MidiUnavailable, requestMidiAccess, forEachChannelMessage, midiBytes } from './midi-input.js';
import {
  optionsObject, checkData, checkChannel, checkInteger, checkFinite, checkTime, checkTimestamp, checkSampleEntry, finiteChannels, describe,
} from './arguments.js';
import { initLoader, decodeSample, bufferChannels, encodeInstrument } from './instrument-loader.js';
import { readInstrument, Progress } from './load-instrument.js';
import { nearestRootRanges } from './note-mapping.js';

export { SamplerError, isolationProblem, MidiRing, forEachChannelMessage, nearestRootRanges };

const WORKLET_URL = new URL('./generated/sampler-worklet.js', import.meta.url);
const WASM_URL = new URL('./generated/sampler_wasm_bg.wasm', import.meta.url);
const PROCESSOR_NAME = 'wasm-sampler';
/**
 * Automatic restarts after the engine fails: each one AUTO_RESTART_DELAY_MS
 * after the failure, and at most AUTO_RESTART_LIMIT of them within
 * AUTO_RESTART_WINDOW_MS, so an engine that fails again at once (an
 * instrument that traps on a note a MIDI file keeps playing) cannot spin.
 * Past the limit the sampler stays 'failed' until restart() is called.
 */
export const AUTO_RESTART_LIMIT = 3;
export const AUTO_RESTART_WINDOW_MS = 60_000;
const AUTO_RESTART_DELAY_MS = 200;
/** Marks the options of the load a restart repeats (see _sendInstrument). */
const RESTORE = Symbol('restore');

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
 * Options: maxPolyphony (256), ringCapacity (1024 events; offline, every
 * event sent before startRendering() counts against it),
 * latencyMode ('constant' | 'lowest'), scheduleDelay (seconds),
 * transport ('auto', the default: 'shared' when the page is cross-origin
 * isolated, else 'message'; 'shared' alone throws 'not-isolated' instead of
 * falling back), autoRestart (true: restart after the engine fails, within
 * AUTO_RESTART_LIMIT). `_testTraps: true` is for this package's tests only:
 * it lets `_forceTrapForTest()` make the engine trap.
 */
export async function createSampler(context, options) {
  if (!(context instanceof BaseAudioContext)) throw new TypeError('createSampler needs an AudioContext or OfflineAudioContext');
  options = optionsObject(options, 'createSampler');
  checkOptions(options);
  const transport = chooseTransport(options.transport ?? 'auto');
  const [module] = await Promise.all([compileEngine(), addWorklet(context)]);
  initLoader(module);
  const ring = MidiRing.create(options.ringCapacity ?? 1024, { shared: transport === 'shared' });
  // What every engine of this sampler starts from (a restart makes another).
  const engine = { module, ring: ring.buffer, maxPolyphony: options.maxPolyphony ?? 256, transport, testTraps: options._testTraps === true };
  const producer = transport === 'shared' ? ring : new MessageRing(null, ring.capacity);
  const sampler = new Sampler(context, engine, producer, options);
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

function checkOptions({ maxPolyphony, ringCapacity, scheduleDelay, latencyMode, autoRestart }) {
  if (latencyMode !== undefined) checkLatencyMode(latencyMode);
  if (autoRestart !== undefined && typeof autoRestart !== 'boolean') throw new TypeError(`autoRestart must be true or false, got ${autoRestart}`);
  if (maxPolyphony !== undefined && !(Number.isInteger(maxPolyphony) && maxPolyphony >= 1 && maxPolyphony <= 4096)) {
    throw new RangeError(`maxPolyphony must be an integer in 1..4096, got ${maxPolyphony}`);
  }
  if (ringCapacity !== undefined && !(Number.isInteger(ringCapacity) && ringCapacity >= 2 && ringCapacity <= MAX_RING_CAPACITY)) {
    throw new RangeError(`ringCapacity must be an integer in 2..${MAX_RING_CAPACITY}, got ${ringCapacity}`);
  }
  if (scheduleDelay !== undefined) checkDelay(scheduleDelay);
}

function checkLatencyMode(mode) {
  if (mode !== 'constant' && mode !== 'lowest') throw new RangeError(`latencyMode must be 'constant' or 'lowest', got ${describe(mode)}`);
}

function checkDelay(seconds) {
  checkFinite('schedule delay', seconds);
  if (!(seconds >= 0 && seconds < 1)) throw new RangeError(`schedule delay must be in [0, 1) s, got ${seconds}`);
}

export class Sampler {
  /**
   * Made by createSampler. `engine`: the processorOptions of every engine
   * (module, ring buffer, maxPolyphony, transport, testTraps).
   */
  constructor(context, engine, ring, options = {}) {
    this.context = context;
    /**
     * The sampler's output, a unity GainNode that stays the same for the
     * sampler's life: the AudioWorkletNode behind it is replaced when the
     * engine restarts, so the connections the user made keep working.
     */
    this.node = new GainNode(context);
    this.ring = ring;
    /** 'shared': the SharedArrayBuffer ring; 'message': the postMessage fallback. */
    this.transport = ring instanceof MessageRing ? 'message' : 'shared';
    this.clock = new ContextClock(context, options.scheduleDelay ?? defaultScheduleDelay(context));
    this._latencyMode = options.latencyMode ?? 'constant';
    this.midi = null;
    this._engine = engine;
    this._worklet = null;
    this._state = 'starting';
    this._nextId = 1;
    this._waiting = new Map();
    this._errors = [];
    // What a restart restores: the last instrument load that succeeded
    // (its source, loaded again) and the settings applied.
    this._lastLoad = null;
    this._masterGain = undefined;
    this._applied = {};
    this._bendRanges = new Map();
    this._autoRestart = options.autoRestart ?? true;
    this._autoRestarts = [];
    this._restartTimer = null;
    this._restarting = null;
    this._ready = this._startWorklet().then(() => {
      this._started = true;
      this._changeState('running');
    });
  }

  /**
   * 'starting', 'running', 'failed' (the engine trapped; see restart()),
   * 'restarting' or 'disposed'.
   */
  get state() {
    return this._state;
  }

  /**
   * A new engine: an AudioWorkletNode connected to the output. Resolves when
   * its processor is ready. `resumeAt`: where its consumer takes over the
   * shared ring (on restarts).
   */
  _startWorklet(resumeAt) {
    this._generation = (this._generation ?? 0) + 1;
    const worklet = new AudioWorkletNode(this.context, PROCESSOR_NAME, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      processorOptions: { ...this._engine, resumeAt },
    });
    const ready = new Promise((resolve, reject) => this._waiting.set('ready', { resolve, reject }));
    // A replaced engine's late messages are not this sampler's business.
    worklet.port.onmessage = (e) => this._worklet === worklet && this._onMessage(e.data);
    worklet.onprocessorerror = () => this._worklet === worklet && this._onFailure('the audio processor crashed');
    giveTaskChannel(worklet);
    this._worklet = worklet;
    this.ring.attach?.(worklet.port);
    worklet.connect(this.node);
    return ready;
  }

  /** Disconnects the current engine and tells it to free itself (a failed one already has). */
  _retireWorklet() {
    const worklet = this._worklet;
    if (!worklet) return;
    this._worklet = null;
    worklet.port.onmessage = null;
    worklet.onprocessorerror = null;
    worklet.port.postMessage({ type: 'dispose' });
    worklet.disconnect();
  }

  /** Rejects every pending request (loads, settings, sync, ready) with `err`. */
  _rejectPending(err) {
    const waiting = [...this._waiting.values()];
    this._waiting.clear();
    for (const w of waiting) w.reject(err);
  }

  _changeState(state, detail = {}) {
    this._state = state;
    this.onstatechange?.({ state, ...detail });
  }

  /**
   * The engine trapped (or its processor died): nothing pending will be
   * answered, so everything pending rejects with 'worklet-failed'; then an
   * automatic restart, unless it is off or over its limit.
   */
  _onFailure(message) {
    if (this._state === 'failed' || this._state === 'disposed') return;
    const err = new SamplerError('worklet-failed', `the audio engine failed: ${message}`);
    this._errors.push(err);
    this._retireWorklet();
    this._state = 'failed';
    this._rejectPending(err);
    const autoRestart = this._started === true && this._scheduleAutoRestart();
    this.onerror?.(err);
    this._changeState('failed', { error: err, autoRestart });
  }

  _scheduleAutoRestart() {
    if (!this._autoRestart) return false;
    const now = performance.now();
    this._autoRestarts = this._autoRestarts.filter((t) => now - t < AUTO_RESTART_WINDOW_MS);
    if (this._autoRestarts.length >= AUTO_RESTART_LIMIT) return false;
    this._autoRestarts.push(now);
    this._restartTimer = setTimeout(() => {
      this._restartTimer = null;
      if (this._state === 'failed') this._restartOnce(true).catch(() => {}); // reported through onerror/onstatechange
    }, AUTO_RESTART_DELAY_MS);
    return true;
  }

  /**
   * Replaces the engine with a new one on the same context and restores
   * what the sampler had: the settings (master gain, polyphony,
   * interpolation, velocity curve, transpose, and pitch-bend ranges set with
   * setPitchBendRange), then the last instrument that loaded (loaded again
   * from its source). `sampler.node`, MIDI inputs and the event ring stay.
   * Events sent to the failed engine and not yet played are dropped.
   */
  restart() {
    if (this._state === 'disposed') return Promise.reject(new SamplerError('disposed', 'the sampler was disposed'));
    this._autoRestarts = [];
    return this._restartOnce(false);
  }

  _restartOnce(automatic) {
    this._restarting ??= this._restart(automatic).finally(() => {
      this._restarting = null;
    });
    return this._restarting;
  }

  async _restart(automatic) {
    clearTimeout(this._restartTimer);
    this._restartTimer = null;
    const started = performance.now();
    if (this._worklet) {
      // A healthy engine replaced on request: what it still owed fails.
      this._retireWorklet();
      this._rejectPending(new SamplerError('restarted', 'the audio engine was restarted'));
    }
    this._changeState('restarting', { automatic });
    const resumeAt = this.transport === 'shared' ? Atomics.load(new Int32Array(this.ring.buffer), W_WRITE_INDEX) : undefined;
    try {
      await this._startWorklet(resumeAt);
    } catch (err) {
      // A new engine that fails is reported like any failure; one that
      // cannot even be made (a closed context) leaves the sampler failed.
      if (this._state === 'restarting') {
        this._state = 'failed';
        this._changeState('failed', { error: err, autoRestart: false });
      }
      throw err instanceof SamplerError ? err : new SamplerError('worklet-failed', `could not restart the audio engine: ${err.message}`, { cause: err });
    }
    await this._restoreSettings();
    let instrument = null;
    let instrumentError = null;
    if (this._lastLoad) {
      // The load runs until its instrument is in this engine; if the engine
      // fails (or the sampler is disposed) first, the restart ends at once
      // and the load, still decoding, will not send to a later engine.
      const { method, source, options } = this._lastLoad;
      const generation = this._generation;
      const load = this[method](source, { ...options, [RESTORE]: generation });
      load.catch(() => {});
      const key = `restore-${generation}`;
      const abandoned = new Promise((_, reject) => this._waiting.set(key, { resolve() {}, reject }));
      try {
        instrument = await Promise.race([load, abandoned]);
      } catch (err) {
        if (this._state !== 'restarting') throw err; // failed again, or disposed
        instrumentError = err;
      } finally {
        this._waiting.delete(key);
      }
    }
    const report = { automatic, ms: Math.round(performance.now() - started), instrument, instrumentError };
    this._changeState('running', { restart: report });
    return report;
  }

  async _restoreSettings() {
    if (this._masterGain !== undefined) this._worklet.port.postMessage({ type: 'master-gain', gain: this._masterGain });
    if (Object.keys(this._applied).length) await this._request('settings', { ...this._applied });
    for (const [channel, { semitones, cents }] of this._bendRanges) this.setPitchBendRange(semitones, { cents, channel });
  }

  /**
   * Remembers a load that succeeded, to repeat it after a restart (without
   * progress reports). Only the source is kept (URLs, Files, the caller's
   * entries), not the decoded samples: loading again costs time only after
   * a failure, where a copy would cost the instrument's size all along.
   */
  _rememberLoad(method, source, { onProgress, [RESTORE]: restore, ...options }) {
    this._lastLoad = { method, source, options };
  }

  /** Why requests cannot be made now, or null. */
  _unusable() {
    if (this._state === 'disposed') return new SamplerError('disposed', 'the sampler was disposed');
    if (this._state === 'failed') return new SamplerError('worklet-failed', 'the audio engine failed and has not restarted (see restart())');
    return null;
  }

  /** Test-only (createSampler option `_testTraps`): the engine traps in its next render quantum. */
  _forceTrapForTest() {
    this._worklet?.port.postMessage({ type: 'test-trap' });
  }

  _onMessage(msg) {
    if (msg.type === 'failed') {
      this._onFailure(msg.message);
    } else if (msg.type === 'ready') {
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

  /**
   * Seconds from a key press to sound at the speaker, in the current mode:
   * 'constant', the schedule delay; 'lowest', the mean (see lowestLatency
   * in clock.js: half a callback buffer of waiting for the next render,
   * plus outputLatency).
   */
  get latency() {
    if (this.latencyMode === 'constant') return this.clock.delaySeconds;
    return lowestLatency(this.context);
  }

  get latencyMode() {
    return this._latencyMode;
  }

  set latencyMode(mode) {
    checkLatencyMode(mode);
    this._latencyMode = mode;
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
   * dropped because the ring was full. Every argument is checked before
   * anything is sent (see midiBytes for `bytes`).
   */
  sendMidi(bytes, time, options) {
    const { timestamp, port = 0 } = optionsObject(options, 'sendMidi');
    checkTime(time, this.context);
    checkTimestamp(timestamp, performance.now());
    checkInteger('port', port, 0, 255);
    let ok = true;
    forEachChannelMessage(midiBytes(bytes, 'sendMidi bytes'), (s, d1, d2, len) => {
      ok = this._send(s, d1, d2, len, time, timestamp, port) && ok;
    });
    return ok;
  }

  noteOn(note, velocity = 100, options) {
    const { time, channel = 0 } = optionsObject(options, 'noteOn');
    checkData('note', note);
    checkData('velocity', velocity);
    return this._send(0x90 | checkChannel(channel), note, velocity, 3, time);
  }

  noteOff(note, options) {
    const { time, channel = 0, velocity = 0 } = optionsObject(options, 'noteOff');
    checkData('note', note);
    checkData('release velocity', velocity);
    return this._send(0x80 | checkChannel(channel), note, velocity, 3, time);
  }

  controlChange(controller, value, options) {
    const { time, channel = 0 } = optionsObject(options, 'controlChange');
    checkData('controller', controller);
    checkData('value', value);
    return this._send(0xb0 | checkChannel(channel), controller, value, 3, time);
  }

  /** `value` in -8192..8191. */
  pitchBend(value, options) {
    const { time, channel = 0 } = optionsObject(options, 'pitchBend');
    checkInteger('pitch bend', value, -8192, 8191);
    const v = value + 8192;
    return this._send(0xe0 | checkChannel(channel), v & 0x7f, v >> 7, 3, time);
  }

  programChange(program, options) {
    const { time, channel = 0 } = optionsObject(options, 'programChange');
    checkData('program', program);
    return this._send(0xc0 | checkChannel(channel), program, 0, 2, time);
  }

  /** All Notes Off on every channel (or one). */
  allNotesOff(options) {
    const { time, channel } = optionsObject(options, 'allNotesOff');
    checkTime(time, this.context);
    return channelsOf(channel).map((c) => this._send(0xb0 | c, 123, 0, 3, time)).every(Boolean);
  }

  /**
   * Writes one message to the ring. With `time`: at its frame. Else in
   * 'constant' mode at the frame that sounds `scheduleDelay` after
   * `timestamp` (default now); in 'lowest' mode at the next quantum, the
   * frame carrying the deadline after which it counts as late.
   */
  _send(status, d1, d2, length, time, timestamp, port = 0) {
    if (this._state === 'failed' || this._state === 'disposed') return false;
    let frame;
    let flags = 0;
    const at = checkTime(time, this.context);
    if (at !== undefined) {
      frame = this.clock.frameAtTime(at);
    } else if (this.latencyMode === 'lowest') {
      flags = FLAG_IMMEDIATE;
      // At least 1: a deadline of 0 means none.
      frame = Math.max(1, this.clock.frameAtPerformanceTime(timestamp ?? performance.now(), lowestLateAfter(this.context)));
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
   * Every entry is checked (and every sample value is finite) before
   * anything is sent: a bad one rejects with a TypeError or RangeError (a
   * decoded file with non-finite samples: SamplerError 'instrument'), and
   * the current instrument plays on.
   */
  async loadSamples(entries, options) {
    options = optionsObject(options, 'loadSamples');
    const { onProgress, releaseSeconds } = options;
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError(`onProgress must be a function, got ${describe(onProgress)}`);
    if (releaseSeconds !== undefined && !(checkFinite('releaseSeconds', releaseSeconds) > 0)) {
      throw new RangeError(`releaseSeconds must be a finite number of seconds > 0, got ${releaseSeconds}`);
    }
    if (!Array.isArray(entries) || entries.length === 0) throw new TypeError('loadSamples needs a non-empty array of sample entries');
    entries.forEach(checkSampleEntry);
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
    const result = await this._sendInstrument(samples, regions, { release_seconds: releaseSeconds }, undefined, options[RESTORE]);
    this._rememberLoad('loadSamples', entries, options);
    return result;
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
  async loadInstrument(source, options) {
    options = optionsObject(options, 'loadInstrument');
    if (this._state === 'disposed') throw this._unusable();
    const progress = new Progress(options.onProgress);
    const inst = await readInstrument(this.context, source, options, progress);
    progress.report('transfer');
    const result = await this._sendInstrument(inst.samples, inst.regions, inst.options, inst.name, options[RESTORE]);
    this._rememberLoad('loadInstrument', source, options);
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
  async _sendInstrument(samples, regions, options, name = 'the instrument', restoring = undefined) {
    if (restoring === undefined) {
      // A load that finishes while the sampler restarts swaps in after the
      // restored instrument, so the newer one stays.
      if (this._restarting) await this._restarting.catch(() => {});
    } else if (restoring !== this._generation) {
      throw new SamplerError('restarted', 'the engine this instrument was being restored to has been replaced');
    }
    const unusable = this._unusable();
    if (unusable) throw unusable;
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
      throw new SamplerError('instrument', aboutFile(name, err.message), { cause: err });
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
      if (err.code === 'instrument-too-large' || err.code === 'instrument') err.message = aboutFile(name, err.message);
      throw err;
    }
    // How the copy into the engine went: in how many steps (tasks on the
    // audio thread), the longest in ms (null without a fine clock there).
    return { samples: samples.length, bytes: reply.bytes, copySteps: reply.steps, longestCopyMs: reply.longestStepMs };
  }

  /** The channels and rate of a checked entry (see checkSampleEntry), all finite. */
  async _decodeEntry(entry, index) {
    const where = `sample entry ${index}`;
    if (entry.channels !== undefined) return { channels: finiteChannels(entry.channels, where), sampleRate: entry.sampleRate };
    if (entry.audioBuffer !== undefined) {
      const sample = bufferChannels(entry.audioBuffer, false);
      finiteChannels(sample.channels, where, { copy: false });
      return sample;
    }
    let sample;
    try {
      sample = await decodeSample(this.context, entry.url, false);
    } catch (err) {
      throw new SamplerError('instrument', `${entry.url}: ${err.message}`, { cause: err });
    }
    // Non-finite values in a file are the file's fault, not an argument's.
    function BadFile(message) {
      return new SamplerError('instrument', `${entry.url}: ${message}`);
    }
    finiteChannels(sample.channels, where, { ErrorType: BadFile, copy: false });
    return sample;
  }

  /**
   * Plays from Web MIDI: `'all'` inputs (following hot-plug), one input or
   * its id. Resolves to the MidiInputs tracker (for listing devices), or,
   * when the browser has no Web MIDI or access is refused, to a
   * MidiUnavailable (`available` false, `error` the SamplerError
   * 'midi-unavailable'), so that a page without MIDI still plays; with
   * `required: true` that case rejects with the error instead. A later
   * call asks for access again. `onActivity(input)` and `onMessage(status,
   * data1, data2)` observe what arrives (for activity lights and key
   * displays). `channelFilter(channel)` (channel 0..15) keeps only the
   * channels it returns true for, before they reach the sampler or
   * onMessage; each call that passes it replaces it.
   */
  async connectMidiInput(selection = 'all', options) {
    const { onActivity, onMessage, access, channelFilter, required = false } = optionsObject(options, 'connectMidiInput');
    if (typeof required !== 'boolean') throw new TypeError(`required must be true or false, got ${describe(required)}`);
    if (this._state === 'disposed') throw this._unusable();
    if (!this.midi) {
      let midiAccess = access;
      try {
        midiAccess ??= await requestMidiAccess();
      } catch (err) {
        if (required || err.code !== 'midi-unavailable') throw err;
        return new MidiUnavailable(err, selection);
      }
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
    checkFinite('master gain', gain, 0);
    if (this._state === 'disposed') throw this._unusable();
    this._masterGain = gain;
    // While failed, kept for the restart.
    this._worklet?.port.postMessage({ type: 'master-gain', gain });
  }

  /**
   * The most voices that sound at once (1 up to the `maxPolyphony` given to
   * createSampler); more notes steal. Resolves to the cap in effect.
   */
  async setPolyphony(voices) {
    if (!Number.isInteger(voices) || voices < 1) throw new RangeError(`polyphony must be a positive integer, got ${voices}`);
    return (await this._settings({ polyphony: voices })).polyphony;
  }

  /** 'linear' (the default, cheapest) or 'hermite' (cubic, cleaner high notes). */
  async setInterpolation(quality) {
    if (quality !== 'linear' && quality !== 'hermite') throw new RangeError(`interpolation must be 'linear' or 'hermite', got ${quality}`);
    await this._settings({ interpolation: quality });
  }

  /**
   * How key velocity maps to the instrument: 'linear' (as played), 'soft'
   * (light playing sounds louder), 'hard' (needs heavy playing) or 'fixed'
   * (every note at `velocity`, default 100).
   */
  async setVelocityCurve(curve, options) {
    const { velocity = 100 } = optionsObject(options, 'setVelocityCurve');
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
  setPitchBendRange(semitones, options) {
    const { cents = 0, channel, time } = optionsObject(options, 'setPitchBendRange');
    checkData('semitones', semitones);
    checkData('cents', cents);
    checkTime(time, this.context);
    for (const c of channelsOf(channel)) this._bendRanges.set(c, { semitones, cents });
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
    const unusable = this._unusable();
    if (unusable) throw unusable;
    if (this.transport === 'shared') return;
    this.ring.flush();
    await this._request('sync');
  }

  async _settings(settings) {
    const { applied } = await this._request('settings', settings);
    Object.assign(this._applied, settings);
    return applied;
  }

  /**
   * Posts a `type` message with a fresh id; resolves with the worklet's
   * reply to that id (rejects with the error it reports for it). Ids start
   * with the type, which names the error code of an unexplained failure.
   */
  _request(type, fields = {}, transfer = []) {
    const unusable = this._unusable();
    if (unusable) return Promise.reject(unusable);
    const id = `${type}-${this._nextId++}`;
    const reply = new Promise((resolve, reject) => this._waiting.set(id, { resolve, reject }));
    this._worklet.port.postMessage({ type, id, ...fields }, transfer);
    return reply;
  }

  /** Counters from the shared buffer; cheap enough to poll every frame. */
  stats() {
    return this.ring.stats();
  }

  /**
   * Stops the sampler for good: the worklet frees its engine and stops
   * rendering (so the browser can collect the node, its processor and its
   * wasm memory), pending requests reject with 'disposed', MIDI inputs are
   * let go and the output is disconnected. Afterwards event methods return
   * false, loads, settings, sync() and restart() reject and
   * setMasterGain() throws, with SamplerError 'disposed'; stats() still
   * reads the last counters. Calling it again does nothing.
   */
  dispose() {
    if (this._state === 'disposed') return;
    clearTimeout(this._restartTimer);
    this._restartTimer = null;
    this.disconnectMidi();
    this._retireWorklet();
    this.ring.attach?.(null);
    this.node.disconnect();
    this._lastLoad = null;
    this._state = 'disposed';
    this._rejectPending(new SamplerError('disposed', 'the sampler was disposed'));
    this._changeState('disposed');
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

