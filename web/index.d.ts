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
  /** The audio processor failed to start or crashed. From `createSampler`, or later through `onerror`. */
  | 'worklet-failed'
  /** An instrument or sample could not be fetched, decoded, parsed or installed. From `loadSamples` and `loadInstrument`. */
  | 'instrument'
  /** The instrument's samples would not fit in the audio engine's memory (the previous instrument plays on). From `loadSamples` and `loadInstrument`. */
  | 'instrument-too-large'
  /** No Web MIDI in this browser, or MIDI access was refused. From `connectMidiInput`. */
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
  /** Events the ring holds between two render quanta, 2..1048576 (default 1024, rounded up to a power of two). */
  ringCapacity?: number;
  /** 'constant': every event at timestamp + scheduleDelay (default); 'lowest': at the next quantum. */
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
}

export interface EventOptions {
  /** When to apply the event, in AudioContext seconds (sample-accurate). Default: now. */
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
  /** Raw sample data, one array per channel (copied). */
  channels?: ArrayLike<number>[];
  /** The rate of `channels`, in Hz. */
  sampleRate?: number;
  /** The key, 0..127, at which the sample sounds at its recorded pitch. */
  rootKey: number;
  /** Lowest key that plays this sample (default: half-way to the next lower root). */
  keyLo?: number;
  /** Highest key that plays this sample (default: half-way to the next higher root). */
  keyHi?: number;
  /** Lowest velocity that plays this sample (default 1). */
  velLo?: number;
  /** Highest velocity that plays this sample (default 127). */
  velHi?: number;
  /** Fine tuning in cents (default 0). */
  tuneCents?: number;
  /** Linear gain (default 1). */
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
  /** Events whose time had already passed when taken; applied at the start of the render quantum. */
  late: number;
  /** Render quanta completed (wraps at 2^32). */
  quanta: number;
  /** Voices sounding after the last quantum. */
  activeVoices: number;
  /** Events the audio thread dropped because its queue of future events was full. */
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
  /** Events refused because the ring was full (those calls returned false). */
  dropped: number;
  /** Events in the ring now. */
  fill: number;
  /** Events the ring holds. */
  capacity: number;
}

/** The Web MIDI inputs a sampler listens to (from `connectMidiInput`). */
export interface MidiInputsTracker {
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
  /** Publishes one MIDI message for context sample `frame`; false (and counted as dropped) when the ring is full. */
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
 * `time`, return false when the ring was full and the event was dropped,
 * and throw a `RangeError` for a note, velocity, controller, value,
 * program or channel outside its MIDI range or a non-finite `time`.
 */
export class Sampler {
  readonly context: BaseAudioContext;
  /** The stereo output: connect it to your graph. */
  readonly node: AudioWorkletNode;
  /** The event producer: the shared ring, or its postMessage stand-in. */
  readonly ring: MidiRing | MessageRing;
  /** Which event path this sampler uses (see SamplerOptions.transport). */
  readonly transport: 'shared' | 'message';
  /**
   * Resolves once the worklet holds every event sent so far. Needed with the
   * 'message' transport before OfflineAudioContext.startRendering().
   */
  sync(): Promise<void>;
  /** 'constant' (the default): events without a `time` sound `scheduleDelay` after their timestamp; 'lowest': at the next render quantum. */
  latencyMode: LatencyMode;
  /** Seconds, in [0, 1); setting another value throws a `RangeError`. */
  scheduleDelay: number;
  /** Seconds from a key press to the speaker in the current mode. */
  readonly latency: number;
  /** Errors the audio thread reported. */
  readonly errors: SamplerError[];
  /** Called with audio-thread errors that no pending call receives (code `'worklet-failed'`). */
  onerror?: (error: SamplerError) => void;

  /** Note on: `note` and `velocity` (default 100) in 0..127. */
  noteOn(note: number, velocity?: number, options?: EventOptions): boolean;
  /** Note off, with an optional release velocity. */
  noteOff(note: number, options?: EventOptions & { velocity?: number }): boolean;
  /** Control change: `controller` and `value` in 0..127 (64: sustain pedal, 123: all notes off, ...). */
  controlChange(controller: number, value: number, options?: EventOptions): boolean;
  /** Pitch bend, `value` in -8192..8191 (0: none); its range is set by RPN 0 (default 2 semitones). */
  pitchBend(value: number, options?: EventOptions): boolean;
  /** Program change, 0..127. */
  programChange(program: number, options?: EventOptions): boolean;
  /**
   * Raw MIDI bytes: one or more channel messages (running status allowed;
   * system messages are skipped). `time` in context seconds; without it,
   * `options.timestamp` (the performance.now() clock, as on MIDI events) or
   * now. Throws a `TypeError` when `bytes` is not array-like.
   */
  sendMidi(bytes: ArrayLike<number>, time?: number, options?: { timestamp?: number; port?: number }): boolean;
  /** All Notes Off (CC 123) on every channel, or on `options.channel`. */
  allNotesOff(options?: { time?: number; channel?: number }): boolean;

  /**
   * Loads an instrument made of samples, each played across a key (and
   * velocity) range, and swaps it in when every sample is ready (notes of
   * the previous instrument ring out). Rejects with a `TypeError` for an
   * empty list or an entry without a source, a `RangeError` for a `rootKey`
   * outside 0..127, and a `SamplerError` ('instrument') when a sample cannot
   * be fetched or decoded.
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
   * arrives (for activity lights and key displays). Rejects with a
   * `SamplerError` ('midi-unavailable') when the browser has no Web MIDI or
   * access is refused.
   */
  connectMidiInput(
    selection?: 'all' | string | MIDIInput,
    options?: {
      onActivity?: (input: MIDIInput) => void;
      onMessage?: (status: number, data1: number, data2: number) => void;
      /** Keeps only messages on channels (0..15) it returns true for (see MidiInputsTracker.channelFilter). */
      channelFilter?: ((channel: number) => boolean) | null;
      access?: MIDIAccess;
    },
  ): Promise<MidiInputsTracker>;
  /** Stops playing from Web MIDI. */
  disconnectMidi(): void;
  /** Output gain, linear (default 0.5; values above 4 are clamped); throws a `RangeError` for a negative or non-finite gain. */
  setMasterGain(gain: number): void;
  /** Voices that may sound at once, 1..maxPolyphony; resolves to the cap in effect. */
  setPolyphony(voices: number): Promise<number>;
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
  /** Disconnects the node and MIDI; pending and later loads reject with `SamplerError` 'disposed'. */
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
 * `context` is not an audio context, or a `RangeError` for an option out of
 * its range.
 */
export function createSampler(context: BaseAudioContext, options?: SamplerOptions): Promise<Sampler>;

/** Key ranges [lo, hi] giving every key to the nearest root, in the order given. */
export function nearestRootRanges(roots: number[]): [number, number][];

/** Calls emit for each channel message in raw MIDI bytes (running status; system messages skipped). */
export function forEachChannelMessage(
  bytes: ArrayLike<number>,
  emit: (status: number, data1: number, data2: number, length: number) => void,
): void;
