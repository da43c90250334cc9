// Types for wasm-midi-sampler (web/index.js).

export type SamplerErrorCode =
  | 'not-isolated'
  | 'no-audio-worklet'
  | 'wasm-load'
  | 'worklet-failed'
  | 'instrument'
  /** The instrument's samples would not fit in the audio engine's memory; the previous instrument plays on. */
  | 'instrument-too-large'
  | 'midi-unavailable'
  | 'disposed';

export class SamplerError extends Error {
  readonly code: SamplerErrorCode;
}

/** Why the page cannot use SharedArrayBuffer, or null when it can. */
export function isolationProblem(): string | null;

export type LatencyMode = 'constant' | 'lowest';

export interface SamplerOptions {
  /** Voices that may sound at once (default 256). */
  maxPolyphony?: number;
  /** Events the ring holds between two render quanta (default 1024, rounded up to a power of two). */
  ringCapacity?: number;
  /** 'constant': every event at timestamp + scheduleDelay (default); 'lowest': at the next quantum. */
  latencyMode?: LatencyMode;
  /** Seconds from a timestamp to sound in 'constant' mode (default: from the context's latencies). */
  scheduleDelay?: number;
}

export interface EventOptions {
  /** When to apply the event, in AudioContext seconds (sample-accurate). Default: now. */
  time?: number;
  /** MIDI channel 0..15 (default 0). */
  channel?: number;
}

export interface SampleEntry {
  url?: string;
  audioBuffer?: AudioBuffer;
  channels?: ArrayLike<number>[];
  sampleRate?: number;
  /** The key at which the sample sounds at its recorded pitch. */
  rootKey: number;
  keyLo?: number;
  keyHi?: number;
  velLo?: number;
  velHi?: number;
  tuneCents?: number;
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

export interface LoadedInstrument {
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

export interface SamplerStats {
  received: number;
  late: number;
  quanta: number;
  activeVoices: number;
  queueDropped: number;
  queued: number;
  maxFill: number;
  invalid: number;
  dropped: number;
  fill: number;
  capacity: number;
}

export interface MidiInputsTracker {
  readonly access: MIDIAccess;
  readonly selection: string | null;
  inputs(): MIDIInput[];
  select(selection: 'all' | string | MIDIInput | null): void;
  close(): void;
}

export class MidiRing {
  static create(capacity?: number): MidiRing;
  constructor(buffer: SharedArrayBuffer);
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly fill: number;
  readonly dropped: number;
  trySend(frame: number, status: number, data1?: number, data2?: number, length?: number, port?: number, flags?: number): boolean;
  stats(): SamplerStats;
}

export class Sampler {
  readonly context: BaseAudioContext;
  /** Connect this to your graph. */
  readonly node: AudioWorkletNode;
  readonly ring: MidiRing;
  latencyMode: LatencyMode;
  /** Seconds, in [0, 1). */
  scheduleDelay: number;
  /** Seconds from a key press to the speaker in the current mode. */
  readonly latency: number;
  /** Errors the audio thread reported. */
  readonly errors: SamplerError[];
  onerror?: (error: SamplerError) => void;

  /** Each returns false when the ring was full and the event was dropped. */
  noteOn(note: number, velocity?: number, options?: EventOptions): boolean;
  noteOff(note: number, options?: EventOptions & { velocity?: number }): boolean;
  controlChange(controller: number, value: number, options?: EventOptions): boolean;
  /** -8192..8191 */
  pitchBend(value: number, options?: EventOptions): boolean;
  programChange(program: number, options?: EventOptions): boolean;
  sendMidi(bytes: ArrayLike<number>, time?: number, options?: { timestamp?: number; port?: number }): boolean;
  allNotesOff(options?: { time?: number; channel?: number }): boolean;

  loadSamples(
    entries: SampleEntry[],
    options?: { onProgress?: (p: { loaded: number; total: number }) => void; releaseSeconds?: number },
  ): Promise<{ samples: number; bytes: number }>;

  /** Loads an instrument and swaps it in when complete; see LoadInstrumentOptions. */
  loadInstrument(source: InstrumentSource, options?: LoadInstrumentOptions): Promise<LoadedInstrument>;

  connectMidiInput(
    selection?: 'all' | string | MIDIInput,
    options?: {
      onActivity?: (input: MIDIInput) => void;
      onMessage?: (status: number, data1: number, data2: number) => void;
      access?: MIDIAccess;
    },
  ): Promise<MidiInputsTracker>;
  disconnectMidi(): void;
  setMasterGain(gain: number): void;
  stats(): SamplerStats;
  dispose(): void;
}

export function createSampler(context: BaseAudioContext, options?: SamplerOptions): Promise<Sampler>;

/** Key ranges [lo, hi] giving every key to the nearest root, in the order given. */
export function nearestRootRanges(roots: number[]): [number, number][];

/** Calls emit for each channel message in raw MIDI bytes (running status; system messages skipped). */
export function forEachChannelMessage(
  bytes: ArrayLike<number>,
  emit: (status: number, data1: number, data2: number, length: number) => void,
): void;
