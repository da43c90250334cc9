// Maps times to the audio context's sample frames.
//
// Two clocks meet here: Web MIDI and UI events carry timestamps on the
// performance.now() clock; the engine counts context sample frames.
// AudioContext.getOutputTimestamp() pairs the two at the output. An event
// played at performance time `ts` is scheduled for the frame that will reach
// the speaker at `ts + delay`: every event then has the same latency, instead
// of the up-to-one-quantum jitter of applying it at the next quantum.
//
// The pairs lie on one line (context time against performance time) within
// a few hundredths of a millisecond, but now and then one is milliseconds
// off it. So the clock does not trust the latest pair: OutputLine fits a
// line through the recent pairs and holds back a pair far off it until
// more pairs confirm that the line really moved.

/** Pairs the line is fitted through. */
const WINDOW = 16;
/** A pair further than this (seconds) from the line is held back. */
const OUTLIER_SECONDS = 0.001;
/** Consecutive held-back pairs that agree with each other move the line to them. */
const CONFIRMING_PAIRS = 3;
/** Nominal slope: context seconds per performance millisecond. */
const NOMINAL_SLOPE = 0.001;
/**
 * Weight of the slope already known against the window's own estimate,
 * as the ∑(Δp)² (ms²) of a window spanning about ±1 s: a window of pairs
 * 10 ms apart barely moves the slope, one spread over minutes sets it.
 */
const SLOPE_PRIOR = 1e6;
/** The audio and system clocks differ by far less than this (relative). */
const MAX_DRIFT = 1e-3;

/**
 * The line through recent (performanceTime, contextTime) pairs, fitted by
 * least squares with outliers held back. Allocation-free after construction.
 */
export class OutputLine {
  constructor() {
    this.perf = new Float64Array(WINDOW);
    this.context = new Float64Array(WINDOW);
    this.heldPerf = new Float64Array(CONFIRMING_PAIRS);
    this.heldContext = new Float64Array(CONFIRMING_PAIRS);
    this.slope = NOMINAL_SLOPE;
    this.reset();
  }

  /**
   * Forgets every pair (the output stopped or restarted) and ignores pairs
   * published before performance time `since`: a suspended context keeps
   * returning its last pair, which belongs to the old line.
   */
  reset(since = -Infinity) {
    this.since = since;
    this.count = 0;
    this.next = 0;
    this.held = 0;
    this.lastPerf = NaN;
    this.lastContext = NaN;
    this.meanPerf = 0;
    this.meanContext = 0;
  }

  get empty() {
    return this.count === 0;
  }

  /** Context time on the line at performance time `p` (ms). */
  contextTimeAt(p) {
    return this.meanContext + (p - this.meanPerf) * this.slope;
  }

  /** Takes a pair (the same pair read again is ignored). */
  add(p, c) {
    if ((p === this.lastPerf && c === this.lastContext) || p < this.since) return;
    this.lastPerf = p;
    this.lastContext = c;
    if (this.count === 0 || Math.abs(c - this.contextTimeAt(p)) <= OUTLIER_SECONDS) {
      this.held = 0;
      this.push(p, c);
      return;
    }
    // Off the line: an outlier, unless the pairs after it agree with it.
    if (this.held > 0) {
      const last = this.held - 1;
      const expected = this.heldContext[last] + (p - this.heldPerf[last]) * this.slope;
      if (Math.abs(c - expected) > OUTLIER_SECONDS) this.held = 0;
    }
    this.heldPerf[this.held] = p;
    this.heldContext[this.held] = c;
    this.held += 1;
    if (this.held === CONFIRMING_PAIRS) {
      this.count = 0;
      this.next = 0;
      for (let i = 0; i < this.held; i++) this.push(this.heldPerf[i], this.heldContext[i]);
      this.held = 0;
    }
  }

  push(p, c) {
    this.perf[this.next] = p;
    this.context[this.next] = c;
    this.next = (this.next + 1) % WINDOW;
    if (this.count < WINDOW) this.count += 1;
    this.fit();
  }

  fit() {
    const n = this.count;
    let sumPerf = 0;
    let sumContext = 0;
    for (let i = 0; i < n; i++) {
      sumPerf += this.perf[i];
      sumContext += this.context[i];
    }
    const meanPerf = sumPerf / n;
    const meanContext = sumContext / n;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      const dp = this.perf[i] - meanPerf;
      sxx += dp * dp;
      sxy += dp * (this.context[i] - meanContext);
    }
    const slope = (sxy + SLOPE_PRIOR * this.slope) / (sxx + SLOPE_PRIOR);
    this.slope = Math.min(NOMINAL_SLOPE * (1 + MAX_DRIFT), Math.max(NOMINAL_SLOPE * (1 - MAX_DRIFT), slope));
    this.meanPerf = meanPerf;
    this.meanContext = meanContext;
  }
}

export class ContextClock {
  /** @param {BaseAudioContext} context  @param {number} delaySeconds */
  constructor(context, delaySeconds) {
    this.context = context;
    this.delaySeconds = delaySeconds;
    this.line = new OutputLine();
    // Suspending stops the context clock but not performance.now(): the
    // line after resuming is another one.
    const line = this.line;
    context.addEventListener?.('statechange', (e) => line.reset(e.timeStamp));
  }

  /** The frame at context time `seconds` (exact for explicit API times). */
  frameAtTime(seconds) {
    return Math.round(seconds * this.context.sampleRate);
  }

  /**
   * The frame that should sound at `timestamp + delay`, `timestamp` on the
   * performance.now() clock (e.g. MIDIMessageEvent.timeStamp).
   */
  frameAtPerformanceTime(timestamp, delaySeconds = this.delaySeconds) {
    return Math.round((this.contextTimeAt(timestamp) + delaySeconds) * this.context.sampleRate);
  }

  /** The context time reaching the speaker at performance time `timestamp`. */
  contextTimeAt(timestamp) {
    const ctx = this.context;
    const out = typeof ctx.getOutputTimestamp === 'function' ? ctx.getOutputTimestamp() : null;
    if (out && out.performanceTime > 0) this.line.add(out.performanceTime, out.contextTime);
    if (!this.line.empty) return this.line.contextTimeAt(timestamp);
    // Before the output has started (or offline): the render clock is the best we have.
    return ctx.currentTime + (timestamp - performance.now()) / 1000;
  }
}

/**
 * A scheduling delay that covers how far rendering runs ahead of the output
 * (base and output latency), two render quanta, and a few ms of event
 * delivery jitter. Total key-to-speaker latency equals this delay.
 */
export function defaultScheduleDelay(context) {
  const quantum = 128 / context.sampleRate;
  const ahead = (context.baseLatency || quantum) + (context.outputLatency || 0);
  return ahead + 2 * quantum + 0.003;
}

const QUANTUM = 128;

/**
 * The mean time from an event to the speaker in 'lowest' latency mode, in
 * Chromium's terms:
 * - the device asks for a callback buffer of `baseLatency` at a time and
 *   the context renders it in one burst, so an event waits from 0 to one
 *   buffer for the next render: half a buffer on average;
 * - the render runs in whole 128-frame quanta into a FIFO the device
 *   reads, which keeps what is left over: on average (128 - g) / 2 frames,
 *   g = gcd(buffer frames mod 128, 128) (none when the buffer is whole
 *   quanta; 63.5 frames for 441);
 * - the event's first frame then takes `outputLatency` to the speaker.
 *   Chromium's outputLatency is the device's delay plus the buffer it has
 *   just been handed, one baseLatency: adding baseLatency to it again
 *   counts that buffer twice.
 * Chromium rounds outputLatency to 8 ms unless the page may use the
 * microphone (then to 1 ms). Where it is not known yet (0), one buffer
 * stands in for it.
 */
export function lowestLatency(context) {
  const rate = context.sampleRate;
  const buffer = context.baseLatency || QUANTUM / rate;
  const frames = Math.round(buffer * rate);
  const leftover = (QUANTUM - gcd(frames % QUANTUM, QUANTUM)) / 2;
  return (context.outputLatency || buffer) + buffer / 2 + leftover / rate;
}

/**
 * How long after its timestamp an event in 'lowest' mode may start before
 * it counts as late: the most an event delivered at once can take
 * (outputLatency, a whole buffer of waiting, up to a quantum of leftover),
 * plus a quantum and 3 ms of delivery jitter. That is defaultScheduleDelay:
 * late in 'lowest' mode means later than 'constant' mode with its default
 * delay would have played it.
 */
export function lowestLateAfter(context) {
  const quantum = QUANTUM / context.sampleRate;
  const buffer = context.baseLatency || quantum;
  return (context.outputLatency || buffer) + buffer + 2 * quantum + 0.003;
}

function gcd(a, b) {
  return b === 0 ? a : gcd(b, a % b);
}
