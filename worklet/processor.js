// The AudioWorkletProcessor that hosts the wasm engine.
//
// Loaded with audioWorklet.addModule() from the bundle that
// web/scripts/bundle-worklet.mjs builds (this file + the polyfill + the
// wasm-bindgen glue). The WebAssembly.Module is compiled on the main thread
// and arrives in processorOptions (the worklet scope has no fetch).
//
// process() makes no JS garbage: the engine reads the event ring itself and
// renders into wasm buffers that we copy out through Float32Array views
// created once (and again only if wasm memory grows, which detaches them).

import './text-codec-polyfill.js';
import { initSync, WasmSampler, ringLayout } from '../web/generated/sampler_wasm.js';
import { layoutDifferences, MidiRing } from '../web/ring.js';
import { EVENT_FIELDS, STATS_INTERVAL_SECONDS } from '../web/message-ring.js';

// The worklet scope may have no performance.now() (Chromium's has none);
// Date.now() counts whole milliseconds, so one quantum's time is coarse, but
// its average over many quanta is right (the quanta start at random phases
// of the millisecond tick).
const clock = globalThis.performance?.now ? () => globalThis.performance.now() : Date.now;
const CLOCK_NAME = globalThis.performance?.now ? 'performance.now' : 'Date.now';
/** Render-time measurements are published about once a second. */
const TIMING_WINDOW_SECONDS = 1;
const VELOCITY_CURVES = { linear: 0, soft: 1, hard: 2, fixed: 3 };

class SamplerProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.failed = false;
    this.port.onmessage = (e) => this.onMessage(e.data);
    try {
      const { module, ring, maxPolyphony, transport } = options.processorOptions;
      this.wasm = initSync({ module });
      const differences = layoutDifferences(ringLayout());
      if (differences.length) throw new Error(`ring layout differs between wasm and JS in: ${differences.join(', ')}`);
      this.sampler = new WasmSampler(sampleRate, ring, maxPolyphony ?? 256);
      // Without shared memory, events arrive by message and this side
      // writes them into its own copy of the ring.
      this.inbox = transport === 'message' ? new MidiRing(ring) : null;
      this.framesSinceStats = 0;
      this.bindViews(128);
      this.busyMs = 0;
      this.timedFrames = 0;
      this.overBudget = 0;
      this.port.postMessage({ type: 'ready', maxBlock: WasmSampler.maxBlock(), clock: CLOCK_NAME });
    } catch (err) {
      this.fail(err);
    }
  }

  fail(err) {
    this.failed = true;
    this.port.postMessage({ type: 'error', message: String(err && err.message ? err.message : err) });
  }

  bindViews(frames) {
    const buffer = this.wasm.memory.buffer;
    this.frames = frames;
    this.left = new Float32Array(buffer, this.sampler.leftPtr(), frames);
    this.right = new Float32Array(buffer, this.sampler.rightPtr(), frames);
  }

  onMessage(msg) {
    if (this.failed) return;
    try {
      switch (msg.type) {
        case 'instrument':
          this.loadInstrument(msg);
          break;
        case 'master-gain':
          this.sampler.setMasterGain(msg.gain);
          break;
        case 'settings':
          this.applySettings(msg);
          break;
        case 'events':
          this.receiveEvents(msg.events);
          break;
        case 'sync':
          this.port.postMessage({ type: 'synced', id: msg.id, stats: this.inbox?.stats() });
          break;
        default:
          this.port.postMessage({ type: 'error', message: `unknown message type ${msg.type}` });
      }
    } catch (err) {
      this.port.postMessage({ type: 'error', id: msg.id, message: String(err && err.message ? err.message : err) });
    }
  }

  receiveEvents(events) {
    for (let i = 0; i + EVENT_FIELDS <= events.length; i += EVENT_FIELDS) {
      this.inbox.trySend(events[i], events[i + 1], events[i + 2], events[i + 3], events[i + 4], events[i + 5], events[i + 6]);
    }
  }

  applySettings({ id, polyphony, interpolation, velocityCurve, fixedVelocity, transpose }) {
    const s = this.sampler;
    const applied = {};
    if (polyphony !== undefined) applied.polyphony = s.setPolyphony(polyphony);
    if (interpolation !== undefined) s.setInterpolation(interpolation === 'hermite' ? 1 : 0);
    if (velocityCurve !== undefined) s.setVelocityCurve(VELOCITY_CURVES[velocityCurve] ?? 0, fixedVelocity ?? 100);
    if (transpose !== undefined) s.setTranspose(transpose);
    this.port.postMessage({ type: 'settings-applied', id, applied });
  }

  // Builds the instrument between quanta; the current one plays until the
  // new one is complete and swapped in (its sounding notes ring out).
  //
  // Memory is checked first: each sample is copied into wasm memory and
  // then into its padded store, so the whole instrument plus twice the
  // largest sample must fit. A failed allocation inside wasm would trap
  // and could leave the engine unusable; a refused check instead reports
  // 'instrument-too-large' and the current instrument plays on.
  loadInstrument({ id, samples, regions, options }) {
    const s = this.sampler;
    let total = 0;
    let largest = 0;
    for (const { channels } of samples) {
      const bytes = channels.reduce((sum, c) => sum + c.byteLength, 0);
      total += bytes;
      largest = Math.max(largest, bytes);
    }
    const need = total + 2 * largest + (1 << 20);
    if (!s.canAllocate(need)) {
      this.port.postMessage({
        type: 'error',
        id,
        code: 'instrument-too-large',
        bytes: total,
        message: `the instrument needs ${mib(total)} of sample memory (${mib(need)} while loading), more than the browser lets the audio engine have (it has ${mib(this.wasm.memory.buffer.byteLength)})`,
      });
      return;
    }
    s.beginInstrument();
    try {
      for (const { channels, sampleRate } of samples) {
        if (channels[0] instanceof Int16Array) s.addSampleI16(channels[0], channels[1], sampleRate);
        else s.addSample(channels[0], channels[1], sampleRate);
      }
      for (const region of regions) s.addRegionValue(region);
      const bytes = s.commitInstrument(options);
      this.port.postMessage({ type: 'instrument-loaded', id, bytes, memory: this.wasm.memory.buffer.byteLength });
    } finally {
      // Drops the samples of an instrument that failed half-way.
      s.beginInstrument();
    }
  }

  process(_inputs, outputs) {
    if (this.failed) return true;
    const out = outputs[0];
    const frames = out[0].length;
    const started = clock();
    try {
      this.sampler.process(currentFrame, frames);
      this.measure(clock() - started, frames);
    } catch (err) {
      // A trap leaves the wasm instance unusable; go silent and say why.
      this.fail(err);
      return true;
    }
    // Views are detached (length 0) after wasm memory grows.
    if (this.left.length !== frames) this.bindViews(frames);
    if (this.inbox) this.postStatsSometimes(frames);
    out[0].set(this.left);
    if (out.length > 1) out[1].set(this.right);
    return true;
  }

  /**
   * The main thread cannot read a private ring's counters, so they are
   * posted a few times a second (a small object each time: garbage, but not
   * per quantum, and only on the fallback path).
   */
  postStatsSometimes(frames) {
    this.framesSinceStats += frames;
    if (this.framesSinceStats >= STATS_INTERVAL_SECONDS * sampleRate) {
      this.framesSinceStats = 0;
      this.port.postMessage({ type: 'stats', stats: this.inbox.stats() });
    }
  }

  /** Adds one quantum's render time; publishes the load once per window. */
  measure(elapsedMs, frames) {
    this.busyMs += elapsedMs;
    this.timedFrames += frames;
    if (elapsedMs > (1000 * frames) / sampleRate) this.overBudget++;
    if (this.timedFrames >= TIMING_WINDOW_SECONDS * sampleRate) {
      const realMs = (1000 * this.timedFrames) / sampleRate;
      const ppm = Math.min(0xffffffff, Math.max(1, Math.round((1e6 * this.busyMs) / realMs)));
      this.sampler.publishTiming(ppm, this.overBudget);
      this.busyMs = 0;
      this.timedFrames = 0;
    }
  }
}

const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

registerProcessor('wasm-sampler', SamplerProcessor);
