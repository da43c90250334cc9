// Instruments arriving at the worklet, copied into the engine in slices.
//
// Samples must be copied into wasm memory on the audio thread (the
// worklet's wasm memory is its own; nothing else can write it). Copying a
// whole piano (hundreds of MB) at once would stall rendering for a tenth of
// a second or more, so while the context renders, each quantum copies about
// SLICE_BYTES after its own render and the new instrument swaps in, whole,
// once its last slice is done. When nothing renders (an OfflineAudioContext
// before startRendering, a suspended context) the main thread asks for the
// rest at once with finishAll().

/** Bytes of sample data copied per render quantum (one typical sample: a larger one goes alone). */
export const SLICE_BYTES = 1 << 18;
/** Regions deserialised per render quantum. */
export const SLICE_REGIONS = 256;

const sampleBytes = ({ channels }) => channels.reduce((sum, c) => sum + c.byteLength, 0);
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

export class InstrumentLoads {
  /**
   * `post(message)` reports to the main thread; `memoryBytes()` is wasm
   * memory's size; `clock()` is milliseconds (for the longest slice, which
   * the loaded message reports).
   */
  constructor(sampler, post, memoryBytes, clock) {
    this.sampler = sampler;
    this.post = post;
    this.memoryBytes = memoryBytes;
    this.clock = clock;
    this.queue = [];
    this.current = null;
  }

  get busy() {
    return this.current !== null || this.queue.length > 0;
  }

  add(message) {
    this.queue.push(message);
  }

  /** Everything queued, now. */
  finishAll() {
    while (this.busy) this.step(Infinity);
  }

  /** Copies about `budget` bytes (at least one sample) of the current load. */
  step(budget = SLICE_BYTES) {
    if (!this.current && !this.start()) return;
    const job = this.current;
    const started = this.clock();
    job.steps++;
    let bytes;
    try {
      bytes = this.advance(job, budget);
    } catch (err) {
      this.post({ type: 'error', id: job.id, message: String(err && err.message ? err.message : err) });
      this.finish();
      return;
    }
    job.longestMs = Math.max(job.longestMs, this.clock() - started);
    if (bytes === null) return;
    this.post({ type: 'instrument-loaded', id: job.id, bytes, memory: this.memoryBytes(), steps: job.steps, longestStepMs: job.longestMs });
    this.finish();
  }

  /** Adds the next slice; returns the instrument's bytes once it is committed, else null. */
  advance(job, budget) {
    const s = this.sampler;
    for (let copied = 0; job.sample < job.samples.length && copied < budget; job.sample++) {
      const sample = job.samples[job.sample];
      const { channels, sampleRate } = sample;
      if (channels[0] instanceof Int16Array) s.addSampleI16(channels[0], channels[1], sampleRate);
      else s.addSample(channels[0], channels[1], sampleRate);
      copied += sampleBytes(sample);
      // Copied: let the transferred buffer go.
      job.samples[job.sample] = null;
    }
    if (job.sample < job.samples.length) return null;
    const regionsEnd = budget === Infinity ? job.regions.length : Math.min(job.regions.length, job.region + SLICE_REGIONS);
    for (; job.region < regionsEnd; job.region++) s.addRegionValue(job.regions[job.region]);
    if (job.region < job.regions.length) return null;
    return s.commitInstrument(job.options);
  }

  // Memory is checked first: each sample is copied into wasm memory and
  // then into its padded store, so the whole instrument plus twice the
  // largest sample must fit. A failed allocation inside wasm would trap and
  // could leave the engine unusable; a refused check instead reports
  // 'instrument-too-large' and the current instrument plays on.
  start() {
    const message = this.queue.shift();
    if (!message) return false;
    const { id, samples } = message;
    let total = 0;
    let largest = 0;
    for (const sample of samples) {
      const bytes = sampleBytes(sample);
      total += bytes;
      largest = Math.max(largest, bytes);
    }
    const need = total + 2 * largest + (1 << 20);
    if (!this.sampler.canAllocate(need)) {
      this.post({
        type: 'error',
        id,
        code: 'instrument-too-large',
        bytes: total,
        message: `the instrument needs ${mib(total)} of sample memory (${mib(need)} while loading), more than the browser lets the audio engine have (it has ${mib(this.memoryBytes())})`,
      });
      return false;
    }
    this.sampler.beginInstrument();
    this.current = { ...message, sample: 0, region: 0, steps: 0, longestMs: 0 };
    return true;
  }

  finish() {
    this.current = null;
    // Drops the samples of an instrument that failed half-way.
    this.sampler.beginInstrument();
  }
}
