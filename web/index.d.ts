// Types for wasm-midi-sampler (web/index.js). The doc comments here are the
// API reference: `node web/scripts/api-doc.mjs` turns them into web/API.md.

/**
 * What went wrong, for programs; `SamplerError.message` says it for people.
 * Bad arguments are not `SamplerError`s: they throw (or, from async
 * methods, reject with) a standard `TypeError` (wrong kind of value) or
 * `RangeError` (a number out of its range).
 */
export type SamplerErrorCode =
  /** `transport: 'shared'` was asked for, but the page is not cross-origin isolated, so there is no SharedArrayBuffer: serve it with the COOP and COEP headers (or let `transport` default to 'auto'). From `createSampler`. */
  | 'not-isolated'
  /** The context has no `audioWorklet` (an insecure context: the page needs https or localhost). From `createSampler`. */
  | 'no-audio-worklet'
  /** The engine's wasm file could not be fetched or compiled. From `createSampler`. */
  | 'wasm-load'
  /** The worklet script could not be loaded into the context's AudioWorklet. From `createSampler`. */
  | 'worklet-load'
  /**
   * The audio engine failed to start (from `createSampler`), or failed
   * later because its wasm code trapped. Then every pending request rejects
   * with it, it goes to `onerror`, and requests made while the sampler is
   * 'failed' reject with it until it restarts (see `Sampler.restart`).
   */
  | 'worklet-failed'
  /** `restart()` replaced a working engine while the request was pending (make it again), or a newer engine replaced the one an instrument was being restored to. */
  | 'restarted'
  /** An instrument or sample could not be fetched, decoded, parsed or installed. From `loadSamples` and `loadInstrument`. */
  | 'instrument'
  /** The instrument's samples would not fit in the audio engine's memory (the previous instrument plays on). From `loadSamples` and `loadInstrument`. */
  | 'instrument-too-large'
  /**
   * No Web MIDI in this browser, or MIDI access was refused: the `error` of
   * the `MidiUnavailable` that `connectMidiInput` resolves to (it rejects
   * with it only when called with `required: true`).
   */
  | 'midi-unavailable'
  /** The sampler was disposed while, or before, the operation ran. */
  | 'disposed';

/** The error every failure of the sampler itself rejects with (argument errors excepted). */
export class SamplerError extends Error {
  readonly name: 'SamplerError';
  /** Stable, for programs: see `SamplerErrorCode`. */
  readonly code: SamplerErrorCode;
  /** The underlying error (a failed fetch, a DOMException, ...), when there is one. */
  readonly cause?: unknown;
}

/** Why the page cannot use SharedArrayBuffer, or null when it can. */
export function isolationProblem(): string | null;

export type LatencyMode = 'constant' | 'lowest';

export type VelocityCurve = 'linear' | 'soft' | 'hard' | 'fixed';

export interface SamplerOptions {
  /** Voices that may sound at once, 1..4096 (default 256). */
  maxPolyphony?: number;
  /**
   * Events the ring holds, 2..1048576 (default 1024, rounded up to a power
   * of two). While rendering, the engine empties it every render quantum,
   * so it must hold what is sent between two quanta. Offline (and on a
   * suspended context) nothing empties it until rendering starts: every
   * event sent before `startRendering()` counts against it, and past it
   * sends return false and count in `stats().ringDropped`. With the default
   * 1024, a 60 s render of 1,200 notes (3,617 calls) keeps 1,024 of them and
   * loses 2,593. For offline work give a capacity above the number of events
   * sent before rendering, or send them in parts with `suspend(time)`.
   */
  ringCapacity?: number;
  /** 'constant': every event at timestamp + scheduleDelay (default); 'lowest': at the next quantum. Other values: a `RangeError`. */
  latencyMode?: LatencyMode;
  /** Seconds from a timestamp to sound in 'constant' mode, in [0, 1) (default: from the context's latencies). */
  scheduleDelay?: number;
  /**
   * How events reach the worklet. 'auto' (default): 'shared' on a
   * cross-origin isolated page, else 'message'. 'shared': the
   * SharedArrayBuffer ring (throws SamplerError 'not-isolated' when
   * unavailable). 'message': batches posted to the worklet; events that
   * arrive after their frame play at the next quantum (block-quantized).
   */
  transport?: 'auto' | 'shared' | 'message';
  /**
   * Restart by itself after the engine fails (default true): 0.2 s after
   * the failure, at most `AUTO_RESTART_LIMIT` (3) times within
   * `AUTO_RESTART_WINDOW_MS` (60 s); past that the sampler stays 'failed'
   * until `restart()` is called. See `Sampler.restart` for what is restored.
   */
  autoRestart?: boolean;
}

/** Automatic restarts allowed within `AUTO_RESTART_WINDOW_MS` (3), so an engine that keeps failing cannot spin. */
export const AUTO_RESTART_LIMIT: number;
/** The window of `AUTO_RESTART_LIMIT`, in ms (60000). */
export const AUTO_RESTART_WINDOW_MS: number;

/**
 * Where a sampler is in its life. 'starting' (inside `createSampler`),
 * 'running', 'failed' (the engine trapped: silent, events refused, requests
 * rejected with 'worklet-failed'), 'restarting' (a new engine is starting
 * and getting the instrument and settings back; events and requests go to
 * it), 'disposed'.
 */
export type SamplerState = 'starting' | 'running' | 'failed' | 'restarting' | 'disposed';

/** What `restart()` (or an automatic restart) did. */
export interface RestartReport {
  /** true for an automatic restart. */
  automatic: boolean;
  /** From the restart's start until the instrument was back, ms. */
  ms: number;
  /** The last instrument that had loaded, loaded again from its source; null when there was none or it failed. */
  instrument: LoadedInstrument | ({ samples: number; bytes: number } & CopyReport) | null;
  /** Why the instrument could not be loaded again (a file that is gone, say); the engine runs without it. */
  instrumentError: SamplerError | null;
}

/** What `onstatechange` receives. */
export interface SamplerStateChange {
  state: SamplerState;
  /** 'failed': what failed (code 'worklet-failed'). */
  error?: SamplerError;
  /** 'failed': whether an automatic restart is coming. */
  autoRestart?: boolean;
  /** 'restarting': whether it is automatic. */
  automatic?: boolean;
  /** 'running' after a restart: what it restored. */
  restart?: RestartReport;
}

/**
 * The options of an event method: an object (or undefined; null and other
 * values throw a `TypeError`).
 */
export interface EventOptions {
  /**
   * When to apply the event, in AudioContext seconds (sample-accurate).
   * Default (or null): now. A time in the past plays at once and counts as
   * late. It must lie within one day (86,400 s) of `context.currentTime`,
   * either way: other numbers (and NaN, ±Infinity) throw a `RangeError`,
   * other types a `TypeError`.
   */
  time?: number;
  /** MIDI channel 0..15 (default 0). */
  channel?: number;
}

/** One sample for `loadSamples`: give `url`, `audioBuffer` or `channels` (with `sampleRate`). */
export interface SampleEntry {
  /** An audio file the browser can decode (WAV, MP3, Ogg, FLAC...), fetched and decoded on the main thread. */
  url?: string;
  /** An already decoded sample. */
  audioBuffer?: AudioBuffer;
  /** Raw sample data, one or two arrays of equal length (at least one frame), every value finite (copied). */
  channels?: ArrayLike<number>[];
  /** The rate of `channels`, 1000..768000 Hz (required with `channels`). */
  sampleRate?: number;
  /** The key, 0..127, at which the sample sounds at its recorded pitch. */
  rootKey: number;
  /** Lowest key, 0..127, that plays this sample (default: half-way to the next lower root). */
  keyLo?: number;
  /** Highest key, 0..127 and not below `keyLo`, that plays this sample (default: half-way to the next higher root). */
  keyHi?: number;
  /** Lowest velocity, 0..127, that plays this sample (default 1). */
  velLo?: number;
  /** Highest velocity, 0..127 and not below `velLo`, that plays this sample (default 127). */
  velHi?: number;
  /** Fine tuning in cents, a finite number (default 0). */
  tuneCents?: number;
  /** Linear gain, finite and >= 0 (default 1). */
  gain?: number;
}

/** A user file with its path relative to a dropped or picked folder. */
export interface FileWithPath {
  file: File | Blob;
  /** '/'- or '\\'-separated, e.g. "Piano/samples/C4.wav". */
  path: string;
}

/**
 * What loadInstrument loads: a URL of an .sfz, .sf2, .sf3, .json or audio
 * file, or user files (the .sfz/.sf2/.sf3/.json among them is the
 * instrument; without one, audio files are mapped by note names such as
 * C4.wav or D#3v10.mp3).
 */
export type InstrumentSource = string | URL | File | Blob | FileList | Array<File | Blob | FileWithPath>;

export interface LoadProgress {
  /** What just advanced: reading bytes, decoding samples, or sending to the audio thread. */
  phase: 'fetch' | 'decode' | 'transfer';
  loadedBytes: number;
  /** null while the size of some file to read is not known (no Content-Length yet). */
  totalBytes: number | null;
  loadedSamples: number;
  totalSamples: number;
  /** Same as loadedSamples (kept from the first version of this API). */
  loaded: number;
  /** Same as totalSamples. */
  total: number;
}

export interface LoadInstrumentOptions {
  onProgress?: (progress: LoadProgress) => void;
  /** How decoded samples are stored: 'int16' (default, half the memory) or 'float32'. */
  sampleFormat?: 'int16' | 'float32';
  /**
   * SFZ, JSON and audio files: return the region (possibly changed) or null to
   * leave it out. `sample` is the sample's URL (URL sources) or path (files).
   */
  regionFilter?: (region: Record<string, unknown>, sample: string) => Record<string, unknown> | null;
  /** A single audio file without a note name in its name plays from this key (default 60). */
  rootKey?: number;
  /** Audio file sets: amplitude release in seconds. */
  releaseSeconds?: number;
  /** SoundFonts: the preset to load (default: the first preset). */
  bank?: number;
  program?: number;
}

export interface SoundFontPreset {
  name: string;
  bank: number;
  program: number;
  index: number;
}

/**
 * How the samples went into the audio engine. The worklet copies them in
 * by tasks of its own between render quanta, each bounded (at most 256 KiB
 * of samples or regions, 16 sample allocations, or 256 regions decoded), so
 * playing goes on; the same tasks run when the context does not render. An
 * OfflineAudioContext runs none while it renders: a load started then
 * completes when rendering ends or is suspended (`suspend(time)`).
 */
export interface CopyReport {
  /** Steps (audio-thread tasks) the load took. */
  copySteps: number;
  /** The longest step, in ms of the worklet's clock (see `Sampler.dspClock`); null where it has none. */
  longestCopyMs: number | null;
}

export interface LoadedInstrument extends CopyReport {
  samples: number;
  regions: number;
  /** Sample memory in the audio engine. */
  bytes: number;
  warnings: string[];
  kind: 'sfz' | 'sf2' | 'sf3' | 'json' | 'audio' | 'files';
  /**
   * For people: the instrument file's name without its extension (a
   * SoundFont's title, a JSON instrument's `name`); for a set of audio files
   * (`kind` 'files'), the folder they lie in, else how many they are ("12
   * audio files").
   */
  name: string;
  /** SoundFonts: every preset, and the one loaded. */
  presets?: SoundFontPreset[];
  preset?: SoundFontPreset;
}

/**
 * The JSON instrument format (a .json file among the files, or by URL).
 * Paths are relative to the JSON file; notes are names (C4 = 60) or numbers.
 */
export interface JsonInstrument {
  name?: string;
  /** Amplitude release of every sample, seconds. */
  release?: number;
  samples: Array<{
    path: string;
    /** Default: the note name in the file name. */
    root?: string | number;
    /** Default: the keys nearest this root among the samples. */
    keys?: [string | number, string | number];
    /** 1..127. Default: from a v-marker in the file name (v1, v2... split evenly), else all. */
    velocity?: [number, number];
    /** Cents. */
    tune?: number;
    /** dB. */
    volume?: number;
    /** -1..1 */
    pan?: number;
    /** true: the WAV's own loop; [start, end]: frames, end exclusive. */
    loop?: boolean | [number, number];
    trigger?: 'attack' | 'release';
  }>;
}

/** Counters of the event path, read from shared memory (cheap: poll it every frame). */
export interface SamplerStats {
  /** Events the audio thread has taken from the ring. */
  received: number;
  /**
   * Events applied later than they should have been, at the start of the
   * render quantum: with a `time`, or in 'constant' mode, those whose frame
   * had already passed when taken. In 'lowest' mode, those that started
   * more than the default `scheduleDelay` after their timestamp (when
   * 'constant' mode would have played them): an event handled at once
   * takes at most outputLatency, one output buffer and a quantum, so this
   * leaves a quantum and 3 ms for delivery; an event held up longer on a
   * busy main thread is late.
   */
  late: number;
  /** Render quanta completed (wraps at 2^32). */
  quanta: number;
  /** Voices sounding after the last quantum. */
  activeVoices: number;
  /**
   * Events the audio thread dropped because its queue of future events (4096)
   * was full: when it is, the event that would play last (the furthest in the
   * future; of equal times, the last sent) is dropped, so an event due soon
   * always wins over far-future ones. Part of `dropped`.
   */
  queueDropped: number;
  /** Future events waiting on the audio thread after the last quantum. */
  queued: number;
  /** Largest ring fill the audio thread has seen. */
  maxFill: number;
  /** Events that were not a MIDI message the engine understands. */
  invalid: number;
  /**
   * Share of real time the worklet spent rendering (0..1), including the
   * copying of an instrument being loaded, averaged over about a second;
   * null until the first second is measured, and always null where the
   * worklet has no clock fine enough to measure it (see `Sampler.dspClock`).
   * With `Temporal.Now` a random eighth of the quanta is timed, so this is
   * an unbiased estimate rather than a sum over every quantum.
   */
  dspLoad: number | null;
  /**
   * Quanta whose measured render time exceeded their own duration; an
   * estimate from the timed quanta when only some are timed (each counts
   * for the quanta it was drawn from). 0 where nothing can be measured.
   */
  overBudget: number;
  /**
   * Regions a note-on (or a release trigger) matched but did not play: one
   * trigger starts at most 32 voices, so a pathological instrument cannot
   * stall the audio thread. Non-zero means the instrument layers more than that.
   */
  layersDropped: number;
  /**
   * Voices the engine cut because what they would mix was not finite; the
   * other voices play on. Non-zero means an engine or instrument fault.
   */
  voicesCut: number;
  /**
   * Every event lost, for any reason: `ringDropped + queueDropped`. A send
   * that returned true may still be lost later on the audio thread (its queue
   * was full); it is counted here.
   */
  dropped: number;
  /**
   * Events refused because the ring was full. With the shared transport those
   * calls returned false; with the message transport the worklet's ring
   * refused them after the call returned. Part of `dropped`.
   */
  ringDropped: number;
  /** Events in the ring now. */
  fill: number;
  /** Events the ring holds. */
  capacity: number;
}

/** The Web MIDI inputs a sampler listens to (from `connectMidiInput`). */
export interface MidiInputsTracker {
  /** Web MIDI plays into the sampler. */
  readonly available: true;
  readonly error: null;
  readonly access: MIDIAccess;
  /** `'all'`, an input id, or null for none. */
  readonly selection: string | null;
  /** Keeps only messages on channels (0..15) it returns true for; null: all channels. */
  channelFilter: ((channel: number) => boolean) | null;
  /** The inputs currently connected (for a device picker; listen to `access`'s `statechange` for hot-plug). */
  inputs(): MIDIInput[];
  /** Listens to `'all'` inputs (following hot-plug), one input or its id, or none. */
  select(selection: 'all' | string | MIDIInput | null): void;
  /** Stops listening. */
  close(): void;
}

/**
 * What `connectMidiInput` resolves to when the browser has no Web MIDI
 * (Safari, Firefox without its MIDI add-on) or the user refused access:
 * everything but MIDI plays on. Its methods do nothing. Calling
 * `connectMidiInput` again asks for access again.
 */
export interface MidiUnavailable {
  readonly available: false;
  /** Why: a `SamplerError` with code 'midi-unavailable' (its message says what to do; `cause` is the browser's error, if any). */
  readonly error: SamplerError;
  readonly access: null;
  /** What was asked for, kept (it has no effect). */
  readonly selection: string | null;
  readonly channelFilter: null;
  /** None. */
  inputs(): MIDIInput[];
  select(selection: 'all' | string | MIDIInput | null): void;
  close(): void;
}

/** What `connectMidiInput` resolves to: check `available` before using `access` or the inputs. */
export type MidiConnection = MidiInputsTracker | MidiUnavailable;

/**
 * The lock-free event ring between the main thread and the audio thread
 * (low level: `Sampler`'s methods write to it). Its constructor throws a
 * `RingLayoutError` for a buffer that does not hold a ring of this version.
 */
export class MidiRing {
  /** A new ring in a new SharedArrayBuffer; `capacity` is rounded up to a power of two. */
  static create(capacity?: number): MidiRing;
  /** Attaches to a ring created elsewhere. */
  constructor(buffer: SharedArrayBuffer);
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly fill: number;
  readonly dropped: number;
  /**
   * Publishes one MIDI message for context sample `frame`; false (and
   * counted as dropped) when the ring is full. With the immediate flag (1)
   * in `flags` it plays at the next quantum, and `frame` is the deadline
   * after which it counts as late (0: none).
   */
  trySend(frame: number, status: number, data1?: number, data2?: number, length?: number, port?: number, flags?: number): boolean;
  stats(): SamplerStats;
}

/** The postMessage stand-in for MidiRing (same producer interface). */
export class MessageRing {
  readonly capacity: number;
  readonly fill: number;
  readonly dropped: number;
  trySend(frame: number, status: number, data1?: number, data2?: number, length?: number, port?: number, flags?: number): boolean;
  /** Posts the events queued in this task now (otherwise done at the end of the task). */
  flush(): void;
  /** The worklet's counters as last posted (a few times a second), plus events on their way. */
  stats(): SamplerStats;
}

/**
 * A sampler running in an AudioWorklet (made by `createSampler`). The event
 * methods (`noteOn` ... `allNotesOff`) are sample-accurate when given a
 * `time`, return false when the event was dropped (the ring was full, or
 * the sampler is 'failed' or 'disposed'), and throw a `RangeError` for a
 * note, velocity, controller, value, program or channel outside its MIDI
 * range or a `time` outside the horizon (see `EventOptions`), and a
 * `TypeError` for a value that is not a number. A call that throws sends
 * nothing. Every method's `options` must be an object or undefined:
 * anything else, null too, throws (or rejects with) a `TypeError`.
 */
export class Sampler {
  readonly context: BaseAudioContext;
  /**
   * The stereo output, a unity `GainNode`: connect it to your graph. It
   * stays the same for the sampler's life; when the engine restarts, the
   * AudioWorkletNode behind it is replaced, so your connections keep working.
   */
  readonly node: GainNode;
  /** The event producer: the shared ring, or its postMessage stand-in. */
  readonly ring: MidiRing | MessageRing;
  /** Which event path this sampler uses (see SamplerOptions.transport). */
  readonly transport: 'shared' | 'message';
  /**
   * Resolves once the worklet holds every event sent so far. Needed with the
   * 'message' transport before OfflineAudioContext.startRendering().
   */
  sync(): Promise<void>;
  /**
   * 'constant' (the default): events without a `time` sound `scheduleDelay`
   * after their timestamp; 'lowest': at the next render quantum. Setting
   * another value throws a `RangeError`.
   */
  latencyMode: LatencyMode;
  /** Seconds, in [0, 1); setting another number throws a `RangeError`, a non-number a `TypeError`. */
  scheduleDelay: number;
  /**
   * Seconds from a key press to the speaker in the current mode. 'constant':
   * `scheduleDelay`, for every event. 'lowest': the mean, which events vary
   * around by one output buffer: `outputLatency` (in Chromium the device's
   * delay plus the buffer it is playing, so one `baseLatency` is in it
   * already), plus half a `baseLatency` (the output asks for a buffer at a
   * time and the context renders it at once, so an event waits 0 to one
   * buffer for the next render), plus the mean remainder that the render's
   * 128-frame quanta leave queued for the output (none when a buffer is
   * whole quanta; 63.5 frames for Chromium's 441-frame buffer at 44.1 kHz).
   * Chromium rounds `outputLatency` to 8 ms unless the page may use the
   * microphone (then to 1 ms), and so is this.
   */
  readonly latency: number;
  /** Errors the audio thread reported. */
  readonly errors: SamplerError[];
  /**
   * Called with audio-thread errors that no pending call receives, and with
   * every engine failure (code `'worklet-failed'`).
   */
  onerror?: (error: SamplerError) => void;
  /** See `SamplerState`. */
  readonly state: SamplerState;
  /** Called on every change of `state` (for a status display). */
  onstatechange?: (change: SamplerStateChange) => void;
  /**
   * Replaces the audio engine with a new one on the same context (after a
   * failure, or on request) and restores, in this order: master gain,
   * polyphony, interpolation, velocity curve, transpose and the pitch-bend
   * ranges given to `setPitchBendRange`; then the last instrument that
   * loaded, loaded again from what its load was given (URL, files, sample
   * entries: the sampler keeps those, not the decoded samples). `node`,
   * MIDI inputs (`connectMidiInput`), the event ring and the latency
   * settings stay. Lost: notes that were sounding, channel state set by MIDI
   * messages (controllers, programs, pitch bend, RPNs sent directly), events
   * sent to the failed engine and not yet played, and the counters in
   * `stats()`, which start again from zero. A working engine is replaced
   * too (its pending requests reject with 'restarted'). Resolves once the
   * instrument is back (a load finishing meanwhile swaps in after it);
   * rejects with 'worklet-failed' if the new engine fails too, 'disposed'
   * after `dispose()`. Calls during a restart get the same promise. Also
   * resets the count of automatic restarts.
   */
  restart(): Promise<RestartReport>;

  /** Note on: `note` and `velocity` (default 100) in 0..127. */
  noteOn(note: number, velocity?: number, options?: EventOptions): boolean;
  /** Note off, with an optional release velocity in 0..127 (default 0; a `RangeError` otherwise). */
  noteOff(note: number, options?: EventOptions & { velocity?: number }): boolean;
  /** Control change: `controller` and `value` in 0..127 (64: sustain pedal, 123: all notes off, ...). */
  controlChange(controller: number, value: number, options?: EventOptions): boolean;
  /** Pitch bend, `value` in -8192..8191 (0: none); its range is set by RPN 0 (default 2 semitones). */
  pitchBend(value: number, options?: EventOptions): boolean;
  /** Program change, 0..127. */
  programChange(program: number, options?: EventOptions): boolean;
  /**
   * Raw MIDI bytes: one or more channel messages (running status allowed;
   * system messages are skipped; a sysex ends at 0xF7 or at the next
   * status byte other than real-time 0xF8..0xFF). `bytes`: an array-like
   * of at most 65,536 integers 0..255. `time` in context seconds (as in
   * `EventOptions`); without it, `options.timestamp` (the performance.now()
   * clock, as on MIDI events, within one day of now) or now. `options.port`:
   * 0..255. Everything is checked before anything is sent: a `TypeError`
   * for `bytes` that is not array-like or holds a non-number, a `RangeError`
   * for a length, byte, time, timestamp or port out of range.
   */
  sendMidi(bytes: ArrayLike<number>, time?: number, options?: { timestamp?: number; port?: number }): boolean;
  /** All Notes Off (CC 123) on every channel, or on `options.channel`. */
  allNotesOff(options?: { time?: number; channel?: number }): boolean;

  /**
   * Loads an instrument made of samples, each played across a key (and
   * velocity) range, and swaps it in when every sample is ready (notes of
   * the previous instrument ring out). Every entry is checked before
   * anything is sent, and the current instrument plays on when one is
   * refused: rejects with a `TypeError` for an empty list, an entry that is
   * not an object or has no source, or a value of the wrong type; a
   * `RangeError` for a number out of its range (see `SampleEntry`), a
   * non-finite sample value in `channels` or an `audioBuffer`, or a
   * `releaseSeconds` that is not a finite number > 0; and a `SamplerError`
   * ('instrument') when a sample file cannot be fetched or decoded or
   * decodes to non-finite values.
   */
  loadSamples(
    entries: SampleEntry[],
    options?: { onProgress?: (p: { loaded: number; total: number }) => void; releaseSeconds?: number },
  ): Promise<{ samples: number; bytes: number } & CopyReport>;

  /**
   * Loads an instrument and swaps it in when complete (the old one's notes
   * ring out): an SFZ with its samples, a SoundFont 2/3 preset (`bank`,
   * `program`; the result lists the file's `presets`), a JSON instrument,
   * audio files mapped by the note names in their file names, or one audio
   * file. From a URL (files it refers to are fetched relative to it) or
   * from user files. Rejects with a `SamplerError`: 'instrument' when a
   * file is missing or cannot be fetched, parsed or decoded (the message
   * names the file), 'instrument-too-large' when the samples would not fit
   * the engine's memory (the previous instrument plays on).
   */
  loadInstrument(source: InstrumentSource, options?: LoadInstrumentOptions): Promise<LoadedInstrument>;

  /**
   * Plays from Web MIDI: `'all'` inputs (following hot-plug), one input or
   * its id. Asks for MIDI access the first time (or uses `options.access`).
   * `onActivity(input)` and `onMessage(status, data1, data2)` observe what
   * arrives (for activity lights and key displays). When the browser has no
   * Web MIDI or access is refused it still resolves, to a `MidiUnavailable`
   * (`available: false`, `error`: the `SamplerError` 'midi-unavailable'
   * saying why), so the common path `await sampler.connectMidiInput('all')`
   * never stops a page that can play without MIDI; pass `required: true` to
   * reject with that error instead. Rejects with 'disposed' after
   * `dispose()`.
   */
  connectMidiInput(
    selection?: 'all' | string | MIDIInput,
    options?: {
      onActivity?: (input: MIDIInput) => void;
      onMessage?: (status: number, data1: number, data2: number) => void;
      /** Keeps only messages on channels (0..15) it returns true for (see MidiInputsTracker.channelFilter). */
      channelFilter?: ((channel: number) => boolean) | null;
      access?: MIDIAccess;
      /** Reject with the 'midi-unavailable' error instead of resolving to a `MidiUnavailable` (default false). */
      required?: boolean;
    },
  ): Promise<MidiConnection>;
  /** Stops playing from Web MIDI. */
  disconnectMidi(): void;
  /**
   * Output gain, linear (default 0.5; values above 4 are clamped); throws a
   * `RangeError` for a negative or non-finite gain, a `TypeError` for a
   * non-number, a `SamplerError` ('disposed') after `dispose()`. While the
   * sampler is 'failed' the gain is kept for the restart.
   */
  setMasterGain(gain: number): void;
  /** Voices that may sound at once, 1..maxPolyphony; resolves to the cap in effect. */
  setPolyphony(voices: number): Promise<number>;
  /**
   * How samples are read between their frames when pitched: 'linear' (the
   * default until this is called, and the cheapest) or 'hermite' (4-point
   * cubic: cleaner when a sample is pitched up, for somewhat more work per
   * voice; BENCHMARKS.md has the figures).
   */
  setInterpolation(quality: 'linear' | 'hermite'): Promise<void>;
  /** 'soft': light playing sounds louder; 'hard': needs heavy playing; 'fixed': every note at `velocity` (100). */
  setVelocityCurve(curve: VelocityCurve, options?: { velocity?: number }): Promise<void>;
  /** Semitones (-48..48) added to notes played from now on; held notes keep theirs. */
  setTranspose(semitones: number): Promise<void>;
  /** RPN 0 on every channel (or `channel`), sent through the ring. False if the ring was full. */
  setPitchBendRange(semitones: number, options?: { cents?: number; channel?: number; time?: number }): boolean;
  /**
   * The clock the worklet measures render time with: 'performance.now'
   * where its scope has one, else 'Temporal.Now' (microsecond steps; Chromium),
   * else null: then `stats().dspLoad` stays null. Date.now() is never used:
   * its 1 ms steps can fall in step with the audio callback and read 0.
   */
  readonly dspClock: 'performance.now' | 'Temporal.Now' | null;
  /** Counters of the event path and the voices. */
  stats(): SamplerStats;
  /**
   * Stops the sampler for good: the worklet frees its engine and stops
   * rendering, so the browser can collect the node, its processor and the
   * engine's wasm memory; MIDI inputs are let go and `node` is disconnected.
   * Pending requests reject with `SamplerError` 'disposed'. Afterwards event
   * methods return false; loads, settings, `sync()`, `restart()` and
   * `connectMidiInput()` reject, and `setMasterGain()` throws, with
   * 'disposed'; `stats()` still reads the last counters. Calling it again
   * does nothing.
   */
  dispose(): void;
}

/**
 * Creates a sampler on `context` (an AudioContext or OfflineAudioContext):
 * loads the package's worklet script and wasm engine (resolved relative to
 * the package itself), and resolves once the audio thread is ready.
 * Without cross-origin isolation it falls back to posting events
 * (`transport: 'message'`) unless `transport: 'shared'` is asked for.
 * Rejects with a `SamplerError` ('not-isolated', 'no-audio-worklet',
 * 'wasm-load', 'worklet-load' or 'worklet-failed'), a `TypeError` when
 * `context` is not an audio context or `options` not an object, or a
 * `RangeError` for an option out of its range.
 */
export function createSampler(context: BaseAudioContext, options?: SamplerOptions): Promise<Sampler>;

/** Key ranges [lo, hi] giving every key to the nearest root, in the order given. */
export function nearestRootRanges(roots: number[]): [number, number][];

/**
 * Calls emit for each channel message in raw MIDI bytes (running status;
 * system messages skipped; a sysex ends at 0xF7 or at the next status byte
 * other than real-time). Throws, before emitting anything, a `TypeError`
 * for `bytes` that is not an array-like of numbers and a `RangeError` for
 * more than 65,536 bytes or a number that is not an integer 0..255.
 */
export function forEachChannelMessage(
  bytes: ArrayLike<number>,
  emit: (status: number, data1: number, data2: number, length: number) => void,
): void;
