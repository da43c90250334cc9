// Types for wasm-midi-sampler (web/index.js).

export type SamplerErrorCode =
  | 'not-isolated'
  | 'no-audio-worklet'
  | 'wasm-load'
  | 'worklet-failed'
  | 'instrument'
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
  /** Keeps only messages on channels (0..15) it returns true for; null: all channels. */
  channelFilter: ((channel: number) => boolean) | null;
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
