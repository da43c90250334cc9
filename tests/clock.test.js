// The clock that maps performance.now() timestamps onto context frames
// (web/clock.js), against a simulated AudioContext whose
// getOutputTimestamp() pairs lie on a line with a little jitter, drift
// between the audio and system clocks, and a few pairs far off the line
// (as measured in Chromium: within 0.03 ms, but a few 1.5-6.7 ms off).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextClock } from '../web/clock.js';

const RATE = 48000;
const DELAY = 0.05;

/** A deterministic generator of numbers in [0, 1). */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * An AudioContext stand-in. `truth(p)` is the context time playing at
 * performance time p; every `callbackMs` the output timestamp is
 * re-published from the truth, plus jitter, and with probability
 * `outlierRate` off by 1.5-6.7 ms.
 */
class SimulatedContext extends EventTarget {
  constructor({ seed = 1, driftPpm = 40, jitterMs = 0.03, outlierRate = 0.03, callbackMs = 10 } = {}) {
    super();
    this.sampleRate = RATE;
    this.state = 'running';
    this.rand = random(seed);
    this.offset = 12.345; // context seconds at performance time 0
    this.rate = 1 + driftPpm * 1e-6;
    this.jitterMs = jitterMs;
    this.outlierRate = outlierRate;
    this.callbackMs = callbackMs;
    this.now = 1000;
    this.outliers = 0;
    this.publish();
  }

  truth(p) {
    return this.offset + (p / 1000) * this.rate;
  }

  publish() {
    const p = this.now;
    let offMs = (this.rand() * 2 - 1) * this.jitterMs;
    if (this.rand() < this.outlierRate) {
      offMs = (this.rand() < 0.5 ? -1 : 1) * (1.5 + 5.2 * this.rand());
      this.outliers += 1;
    }
    this.pair = { contextTime: this.truth(p) + offMs / 1000, performanceTime: p };
    this.nextCallback = p + this.callbackMs;
  }

  /** Moves time on by `ms`, publishing a pair at every callback on the way. */
  advance(ms) {
    const end = this.now + ms;
    while (this.nextCallback <= end) {
      this.now = this.nextCallback;
      this.publish();
    }
    this.now = end;
  }

  get currentTime() {
    return this.truth(this.now) + 0.03;
  }

  getOutputTimestamp() {
    return { ...this.pair };
  }
}

/** The error, in ms, of the frame `clock` gives for an event at `ts`. */
function errorMs(ctx, clock, ts) {
  const exact = (ctx.truth(ts) + DELAY) * RATE;
  return ((clock.frameAtPerformanceTime(ts) - exact) / RATE) * 1000;
}

/** Plays `events` events `gapMs` apart (randomized) and returns the worst error in ms. */
function worstError(ctx, clock, events, gapMs) {
  let worst = 0;
  for (let i = 0; i < events; i++) {
    ctx.advance(gapMs * (0.5 + ctx.rand()));
    // A MIDI timestamp is a little older than the moment it is handled.
    const ts = ctx.now - 2 * ctx.rand();
    worst = Math.max(worst, Math.abs(errorMs(ctx, clock, ts)));
  }
  return worst;
}

// Rounding to a frame costs up to half a frame (0.0104 ms at 48 kHz).
const BOUND_MS = 0.25;

test('one bad output timestamp cannot move a note: dense playing', () => {
  const ctx = new SimulatedContext({ seed: 7 });
  const clock = new ContextClock(ctx, DELAY);
  const worst = worstError(ctx, clock, 20_000, 4);
  console.log(`# dense: ${ctx.outliers} pairs off the line, worst note error ${worst.toFixed(4)} ms`);
  assert.ok(ctx.outliers > 100, 'the simulation has outliers');
  assert.ok(worst < BOUND_MS, `worst error ${worst.toFixed(4)} ms`);
});

test('sparse playing, with the audio clock drifting 80 ppm from the system clock', () => {
  const ctx = new SimulatedContext({ seed: 11, driftPpm: 80, outlierRate: 0.1 });
  const clock = new ContextClock(ctx, DELAY);
  const worst = worstError(ctx, clock, 2000, 1500); // about 50 minutes
  console.log(`# sparse: worst note error ${worst.toFixed(4)} ms`);
  assert.ok(worst < BOUND_MS, `worst error ${worst.toFixed(4)} ms`);
});

test('a real jump of the line (another output device) is followed after a few pairs', () => {
  const ctx = new SimulatedContext({ seed: 3, outlierRate: 0 });
  const clock = new ContextClock(ctx, DELAY);
  worstError(ctx, clock, 200, 5);
  ctx.offset -= 0.040; // the output now runs 40 ms behind
  ctx.advance(10);
  const errors = [];
  for (let i = 0; i < 8; i++) {
    ctx.advance(10);
    errors.push(Math.abs(errorMs(ctx, clock, ctx.now)));
  }
  assert.ok(errors.slice(3).every((e) => e < BOUND_MS), `errors after the jump: ${errors.map((e) => e.toFixed(3))}`);
  assert.ok(worstError(ctx, clock, 2000, 5) < BOUND_MS);
});

test('after a suspend and resume the clock follows the output at once', () => {
  const ctx = new SimulatedContext({ seed: 5, outlierRate: 0 });
  const clock = new ContextClock(ctx, DELAY);
  worstError(ctx, clock, 200, 5);
  const stateChange = (state) => {
    ctx.state = state;
    const e = new Event('statechange');
    Object.defineProperty(e, 'timeStamp', { value: ctx.now });
    ctx.dispatchEvent(e);
  };
  stateChange('suspended');
  // Three seconds without rendering: context time stands still, and the
  // output timestamp keeps its last pair, read by an event meanwhile.
  ctx.now += 3000;
  ctx.offset -= 3 * ctx.rate;
  clock.frameAtPerformanceTime(ctx.now);
  stateChange('running');
  ctx.now += 1;
  clock.frameAtPerformanceTime(ctx.now); // before the first callback: the old pair still
  ctx.publish();
  ctx.advance(3);
  const error = errorMs(ctx, clock, ctx.now);
  assert.ok(Math.abs(error) < BOUND_MS, `the first note after the output restarted is ${error.toFixed(3)} ms off`);
});

test('the clock without a published output timestamp falls back to currentTime', () => {
  const ctx = { sampleRate: RATE, currentTime: 2, getOutputTimestamp: () => ({ contextTime: 0, performanceTime: 0 }) };
  const clock = new ContextClock(ctx, 0.01);
  // An event 100 ms old: the frame 100 ms before currentTime, plus the delay.
  const before = performance.now();
  const frame = clock.frameAtPerformanceTime(before - 100);
  const after = performance.now();
  const earliest = Math.floor((2.01 - 0.1 - (after - before) / 1000) * RATE);
  assert.ok(frame >= earliest && frame <= Math.ceil((2.01 - 0.1) * RATE), `frame ${frame}`);
});
