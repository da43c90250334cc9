// The worklet's DSP load: render time per second of audio, measured on the
// audio thread.
//
// The clock matters more than anything else here. The worklet scope may
// have no `performance` (Chromium's has none), and Date.now() cannot be
// averaged into a right answer: its 1 ms steps can fall in step with the
// audio callback. On an AMD EPYC machine every callback started about
// 0.45 ms after a tick and rendered its 3-4 quanta within 0.3 ms, so every
// quantum read 0 ms with 200 voices sounding. Temporal.Now.instant() counts
// in microseconds (5 µs steps on a cross-origin isolated page) but makes an
// object per reading, so with it a random sample of the quanta (one in
// TEMPORAL_SAMPLE_EVERY) is timed and each timed quantum stands for the
// quanta it was drawn from: an unbiased estimate of the render time, with
// little garbage. Without either clock nothing is published, and stats()
// says null ("n/a") rather than a wrong number.
//
// Work the worklet does in its own tasks, between quanta (copying an
// instrument in, freeing one), runs on the same thread and delays the next
// quantum just as rendering does: each such task is always timed
// (beginTask/endTask) and counted in the same load and over-budget figures.

/** With Temporal, one quantum in this many is timed (at random). */
export const TEMPORAL_SAMPLE_EVERY = 8;
/** The load is published about once per this many seconds of audio. */
export const WINDOW_SECONDS = 1;
/** Web Audio's render quantum: a task longer than this delays the next one. */
const QUANTUM_FRAMES = 128;

/**
 * The best clock of `scope` for timing a quantum: `{ name, now, sampleEvery }`
 * (`now()` in ms; `sampleEvery` says how sparingly to use it), or null.
 */
export function renderClock(scope = globalThis) {
  const performance = scope.performance;
  if (typeof performance?.now === 'function') {
    return { name: 'performance.now', now: () => performance.now(), sampleEvery: 1 };
  }
  const temporalNow = scope.Temporal?.Now;
  if (typeof temporalNow?.instant === 'function') {
    // Nanoseconds since 1970 as a Number keep about 0.25 µs of precision.
    return { name: 'Temporal.Now', now: () => Number(temporalNow.instant().epochNanoseconds) / 1e6, sampleEvery: TEMPORAL_SAMPLE_EVERY };
  }
  return null;
}

export class RenderMeter {
  /**
   * `clock` from renderClock() (or null: measure nothing); `publish(ppm,
   * overBudget)` receives the load in parts per million of real time
   * (at least 1) and the estimated count of quanta so far whose render took
   * longer than their own duration.
   */
  constructor(clock, sampleRate, publish) {
    this.clock = clock;
    this.sampleRate = sampleRate;
    this.publish = publish;
    this.random = 0x2545f491; // xorshift32 state: no garbage, no Math.random
    this.windowFrames = 0;
    this.weightedBusyMs = 0;
    this.weightedTimedFrames = 0;
    this.overBudget = 0;
  }

  /**
   * Call before a quantum's work: returns its start time when this quantum
   * is to be timed, else null.
   */
  begin() {
    const clock = this.clock;
    if (!clock) return null;
    if (clock.sampleEvery === 1 || this.nextRandom() % clock.sampleEvery === 0) return clock.now();
    return null;
  }

  /** Call after the quantum's work with what begin() returned. */
  end(started, frames) {
    this.windowFrames += frames;
    if (started !== null) {
      const elapsedMs = this.clock.now() - started;
      // Each sampled quantum stands for the quanta it was drawn from.
      const weight = this.clock.sampleEvery;
      this.weightedBusyMs += weight * elapsedMs;
      this.weightedTimedFrames += weight * frames;
      if (elapsedMs > (1000 * frames) / this.sampleRate) this.overBudget += weight;
    }
    this.publishWhenDue();
  }

  /** The meter's clock in ms, or null without one. */
  now() {
    return this.clock ? this.clock.now() : null;
  }

  /** Call before a task's work (not a render): its start time, or null without a clock. */
  beginTask() {
    return this.now();
  }

  /**
   * Call after the task's work with what beginTask() returned: its time
   * counts in the load (it is audio-thread time the quanta around it did
   * not get), and a task longer than one render quantum counts as over
   * budget (the next quantum waited that long). Returns its duration in
   * ms, or null without a clock.
   */
  endTask(started) {
    if (started === null) return null;
    const elapsedMs = this.clock.now() - started;
    this.weightedBusyMs += elapsedMs;
    if (elapsedMs > (1000 * QUANTUM_FRAMES) / this.sampleRate) this.overBudget += 1;
    return elapsedMs;
  }

  publishWhenDue() {
    if (this.windowFrames >= WINDOW_SECONDS * this.sampleRate && this.weightedTimedFrames > 0) {
      const timedMs = (1000 * this.weightedTimedFrames) / this.sampleRate;
      const ppm = Math.min(0xffffffff, Math.max(1, Math.round((1e6 * this.weightedBusyMs) / timedMs)));
      this.publish(ppm, this.overBudget);
      this.windowFrames = 0;
      this.weightedBusyMs = 0;
      this.weightedTimedFrames = 0;
    }
  }

  nextRandom() {
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x >>> 0;
    return this.random;
  }
}
