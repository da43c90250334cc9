// Maps times to the audio context's sample frames.
//
// Two clocks meet here: Web MIDI and UI events carry timestamps on the
// performance.now() clock; the engine counts context sample frames.
// AudioContext.getOutputTimestamp() pairs the two at the output. An event
// played at performance time `ts` is scheduled for the frame that will reach
// the speaker at `ts + delay`: every event then has the same latency, instead
// of the up-to-one-quantum jitter of applying it at the next quantum.

export class ContextClock {
  /** @param {BaseAudioContext} context  @param {number} delaySeconds */
  constructor(context, delaySeconds) {
    this.context = context;
    this.delaySeconds = delaySeconds;
  }

  /** The frame at context time `seconds` (exact for explicit API times). */
  frameAtTime(seconds) {
    return Math.round(seconds * this.context.sampleRate);
  }

  /**
   * The frame that should sound at `timestamp + delay`, `timestamp` on the
   * performance.now() clock (e.g. MIDIMessageEvent.timeStamp).
   */
  frameAtPerformanceTime(timestamp) {
    const ctx = this.context;
    let contextTime;
    const out = typeof ctx.getOutputTimestamp === 'function' ? ctx.getOutputTimestamp() : null;
    if (out && out.performanceTime > 0) {
      contextTime = out.contextTime + (timestamp - out.performanceTime) / 1000;
    } else {
      // Before the output has started (or offline): the render clock is the best we have.
      contextTime = ctx.currentTime + (timestamp - performance.now()) / 1000;
    }
    return Math.round((contextTime + this.delaySeconds) * ctx.sampleRate);
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
