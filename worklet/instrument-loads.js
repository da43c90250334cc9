// Instruments arriving at the worklet, copied into the engine in bounded
// steps, each its own task on the audio thread.
//
// Samples must be copied into wasm memory on the audio thread (the
// worklet's wasm memory is its own; nothing else can write it). Each step
// is one task that the worklet posts to itself (`schedule`: a message on a
// MessageChannel whose two ends are both here), never work inside
// process(): rendering runs between the tasks whether or not the context
// renders, so a suspended context or an OfflineAudioContext before
// startRendering gets its instrument too. Each step does one bounded piece:
//
//   begin    memory for the whole load is asked for once (wasm memory
//            grows once; refused: the load fails with instrument-too-large);
//   reserve  the storage of up to RESERVATIONS_PER_STEP samples, each once
//            with its exact size and not filled (refused: the same, and
//            what the load took is freed);
//   copy     at most STAGING_BYTES of samples or encoded regions: written
//            into a staging buffer in wasm memory, then appended;
//   decode   up to REGIONS_PER_STEP regions from their bytes;
//   build    about BUILD_WORK_PER_STEP units of checking the regions and
//            listing them by key (InstrumentBuilder: a huge instrument
//            takes many steps, a piano one);
//   commit   the instrument is swapped in (notes of the old one ring out),
//            and the reply posted;
//   free     up to FREES_PER_STEP samples of replaced instruments, failed
//            loads and retired instruments whose notes have ended.
//
// Each task is timed into the DSP meter (render-meter.js, beginTask/endTask).

/** Samples whose storage one step reserves. */
export const RESERVATIONS_PER_STEP = 16;
/** Regions one step decodes. */
export const REGIONS_PER_STEP = 256;
/**
 * Work units of one build step (a region checked, a key-list entry counted
 * or filled: InstrumentBuilder). 100,000 regions over the whole keyboard
 * take about 60 steps; the default piano's 208 regions one.
 */
export const BUILD_WORK_PER_STEP = 16384;
/** Samples one step frees. */
export const FREES_PER_STEP = 16;

/** freeSome's answers. */
const FREED_ALL = 0;
const MORE_TO_FREE = 1;

const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
const sampleBytes = ({ channels }) => channels.reduce((sum, c) => sum + c.byteLength, 0);

export class InstrumentLoads {
  /**
   * `sampler`: the WasmSampler; `memory()`: its WebAssembly.Memory;
   * `post(message)` reports to the main thread; `meter`: the RenderMeter
   * (each step is timed into it); `schedule()` asks for runTask() to run in
   * a later task and returns false if it cannot yet (call wake() again
   * when it can).
   */
  constructor({ sampler, memory, post, meter, schedule }) {
    this.sampler = sampler;
    this.memory = memory;
    this.post = post;
    this.meter = meter;
    this.schedule = schedule;
    this.stagingBytes = sampler.constructor.stagingBytes();
    this.queue = [];
    this.current = null;
    this.scheduled = false;
    /** Replaced instruments or a failed load are waiting to be freed. */
    this.freeing = false;
    /** Retired instruments whose notes still sound wait to be freed later. */
    this.retiredWaiting = false;
    this.views = null;
  }

  get busy() {
    return this.current !== null || this.queue.length > 0 || this.freeing;
  }

  /**
   * Queues an 'instrument' message: `{ id, samples: [{ channels, sampleRate }],
   * regions: Uint8Array (encodeInstrument), regionCount }`. Loads run in order.
   */
  add(message) {
    this.queue.push(message);
    this.wake();
  }

  /** Makes sure a task will run while there is work. */
  wake() {
    if (!this.scheduled && this.busy) this.scheduled = this.schedule();
  }

  /** Frees retired instruments whose notes have ended (called now and then). */
  collectRetired() {
    this.freeing = true;
    this.wake();
  }

  /** What the next step will do: 'free', 'begin', 'reserve', 'copy', 'decode', 'build' or 'commit'. */
  nextStep() {
    const job = this.current;
    if (this.freeing) return 'free';
    if (!job) return 'begin';
    if (job.reserved < job.samples.length) return 'reserve';
    if (job.sample < job.samples.length || job.regionOffset < job.regions.length) return 'copy';
    if (!job.decoded) return 'decode';
    return job.built ? 'commit' : 'build';
  }

  /** One step, timed; then the next task if work remains. */
  runTask() {
    this.scheduled = false;
    const job = this.current ?? this.queue[0] ?? null;
    const kind = this.nextStep();
    const started = this.meter.beginTask();
    let reply = null;
    try {
      reply = this.step();
    } catch (err) {
      // A trap leaves the wasm instance unusable: the worklet's to handle.
      if (err instanceof WebAssembly.RuntimeError) throw err;
      // This load's data was refused (or a step failed): drop the load,
      // report why, and keep rendering.
      reply = this.fail(job, { message: String(err && err.message ? err.message : err) });
    }
    const ms = this.meter.endTask(started);
    if (job && (job === this.current || reply)) {
      job.steps = (job.steps ?? 0) + 1;
      if (ms !== null && !(ms <= job.longestMs)) Object.assign(job, { longestMs: ms, longestKind: kind });
    }
    if (reply) {
      if (reply.type === 'instrument-loaded') Object.assign(reply, { steps: job.steps, longestStepMs: job.longestMs ?? null, longestStepKind: job.longestKind ?? null });
      this.post(reply);
    }
    this.wake();
  }

  /** Does one bounded piece of work; returns a reply to post, if any. */
  step() {
    const next = this.nextStep();
    if (next === 'free') {
      const status = this.sampler.freeSome(FREES_PER_STEP);
      this.freeing = status === MORE_TO_FREE;
      this.retiredWaiting = status !== FREED_ALL && status !== MORE_TO_FREE;
      return null;
    }
    if (next === 'begin') return this.start();
    const job = this.current;
    if (next === 'reserve') return this.reserve(job);
    if (next === 'copy') {
      this.copy(job);
      return null;
    }
    if (next === 'decode') {
      job.decoded = this.sampler.loadDecodeRegions(REGIONS_PER_STEP);
      return null;
    }
    if (next === 'build') {
      job.built = this.sampler.loadBuild(BUILD_WORK_PER_STEP);
      return null;
    }
    const bytes = this.sampler.loadCommit();
    this.current = null;
    this.freeing = true;
    const elapsedMs = job.startedAt === null ? null : this.meter.now() - job.startedAt;
    return { type: 'instrument-loaded', id: job.id, bytes, memory: this.memory().buffer.byteLength, elapsedMs };
  }

  start() {
    const job = this.queue.shift();
    if (!job) return null;
    // startedAt: when its first step ran (worklet clock; null without one).
    Object.assign(job, { reserved: 0, sample: 0, channel: 0, offset: 0, regionOffset: 0, decoded: false, built: false, startedAt: this.meter.now() });
    job.sampleBytes = job.samples.reduce((sum, s) => sum + sampleBytes(s), 0);
    if (!this.sampler.loadBegin(job.samples.length, job.regions.length, job.regionCount, job.sampleBytes)) return this.tooLarge(job);
    this.current = job;
    return null;
  }

  reserve(job) {
    const end = Math.min(job.samples.length, job.reserved + RESERVATIONS_PER_STEP);
    for (; job.reserved < end; job.reserved++) {
      const { channels, sampleRate } = job.samples[job.reserved];
      let reserved;
      try {
        reserved = this.sampler.loadReserveSample(channels[0] instanceof Int16Array, channels.length, channels[0].length, sampleRate);
      } catch (err) {
        return this.fail(job, { message: err.message ?? String(err) });
      }
      if (!reserved) return this.tooLarge(job);
    }
    return null;
  }

  /** Copies at most stagingBytes of samples, then of the region bytes. */
  copy(job) {
    const views = this.stagingViews();
    let budget = this.stagingBytes;
    while (budget > 0 && job.sample < job.samples.length) {
      const { channels } = job.samples[job.sample];
      const source = channels[job.channel];
      const count = Math.min(source.length - job.offset, Math.floor(budget / source.BYTES_PER_ELEMENT));
      if (count > 0) {
        const staging = source instanceof Int16Array ? views.i16 : views.f32;
        staging.set(source.subarray(job.offset, job.offset + count));
        this.sampler.loadAppendSamples(job.sample, job.channel, count);
        job.offset += count;
        budget -= count * source.BYTES_PER_ELEMENT;
      }
      if (job.offset < source.length) break;
      job.offset = 0;
      if (++job.channel === channels.length) {
        job.channel = 0;
        // Copied: let the transferred buffers go.
        job.samples[job.sample++] = null;
      }
    }
    const count = Math.min(budget, job.regions.length - job.regionOffset);
    if (count > 0) {
      views.bytes.set(job.regions.subarray(job.regionOffset, job.regionOffset + count));
      this.sampler.loadAppendRegionBytes(count);
      job.regionOffset += count;
    }
  }

  /** Views of the staging buffer, made again when wasm memory has grown. */
  stagingViews() {
    const buffer = this.memory().buffer;
    if (this.views?.bytes.buffer !== buffer) {
      const at = this.sampler.stagingPtr();
      const n = this.stagingBytes;
      this.views = { bytes: new Uint8Array(buffer, at, n), f32: new Float32Array(buffer, at, n / 4), i16: new Int16Array(buffer, at, n / 2) };
    }
    return this.views;
  }

  // The browser refused the memory: what the load took is freed in the
  // next tasks and the current instrument plays on.
  tooLarge(job) {
    const total = job.sampleBytes;
    const need = total + job.regions.length + job.regionCount * this.sampler.constructor.regionSize();
    return this.fail(job, {
      code: 'instrument-too-large',
      bytes: total,
      message: `the instrument needs ${mib(total)} of sample memory (${mib(need)} while loading), more than the browser lets the audio engine have (it has ${mib(this.memory().buffer.byteLength)})`,
    });
  }

  fail(job, error) {
    this.sampler.loadAbort();
    this.current = null;
    this.freeing = true;
    return { type: 'error', id: job?.id, ...error };
  }
}
