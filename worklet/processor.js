// The AudioWorkletProcessor that hosts the wasm engine.
//
// Loaded with audioWorklet.addModule() from the bundle that
// web/scripts/bundle-worklet.mjs builds (this file + the polyfill + the
// wasm-bindgen glue). The WebAssembly.Module is compiled on the main thread
// and arrives in processorOptions (the worklet scope has no fetch). Each
// processor instantiates it for itself (`newEngineInstance`), so a trap or
// a dispose ends one sampler's engine and memory, never another's.
//
// process() makes no JS garbage: the engine reads the event ring itself and
// renders into wasm buffers that we copy out through Float32Array views
// created once (and again only if wasm memory grows, which detaches them).
//
// Lifecycle: once stopped (disposed by the main thread, or failed because
// the engine trapped) the processor drops every reference to its engine and
// returns false from process(), so the browser can collect the node, this
// processor and the wasm instance with its memory.

import './text-codec-polyfill.js';
import { newEngineInstance } from 'engine-instance';
import { layoutDifferences, MidiRing, W_READ_INDEX, W_STATS, STAT_COUNT } from '../web/ring.js';
import { EVENT_FIELDS, STATS_INTERVAL_SECONDS } from '../web/message-ring.js';
import { InstrumentLoads } from './instrument-loads.js';
import { RenderMeter, renderClock } from './render-meter.js';

const CLOCK = renderClock();

const VELOCITY_CURVES = { linear: 0, soft: 1, hard: 2, fixed: 3 };
/** How often retired instruments are checked for (their notes ended: free them). */
const RETIRED_CHECK_SECONDS = 0.5;

class SamplerProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.stopped = false;
    this.port.onmessage = (e) => this.onMessage(e.data);
    try {
      const { module, ring, maxPolyphony, transport, resumeAt, testTraps } = options.processorOptions;
      // Honoured only for samplers created with the test-only option.
      this.testTraps = testTraps === true;
      this.engine = newEngineInstance();
      const { initSync, WasmSampler, ringLayout } = this.engine;
      this.wasm = initSync({ module });
      const differences = layoutDifferences(ringLayout());
      if (differences.length) throw new Error(`ring layout differs between wasm and JS in: ${differences.join(', ')}`);
      if (resumeAt !== undefined) resumeRing(ring, resumeAt);
      this.sampler = new WasmSampler(sampleRate, ring, maxPolyphony ?? 256);
      // Without shared memory, events arrive by message and this side
      // writes them into its own copy of the ring.
      this.inbox = transport === 'message' ? new MidiRing(ring) : null;
      this.framesSinceStats = 0;
      this.bindViews(128);
      // The DSP load and over-budget quanta, published through the ring's
      // statistics words (render-meter.js says how, and when it cannot).
      this.meter = new RenderMeter(CLOCK, sampleRate, (ppm, overBudget) => this.sampler.publishTiming(ppm, overBudget));
      // New instruments are copied in by tasks of their own between quanta
      // (see instrument-loads.js); the current one plays until then. The
      // tasks are messages this worklet posts to itself, on a channel the
      // main thread sends ('task-ports': the worklet scope has no
      // MessageChannel).
      this.taskPort = null;
      this.taskReceiver = null;
      this.framesSinceRetiredCheck = 0;
      this.loads = new InstrumentLoads({
        sampler: this.sampler,
        memory: () => this.wasm.memory,
        post: (m) => this.port.postMessage(m),
        meter: this.meter,
        schedule: () => {
          this.taskPort?.postMessage(null);
          return this.taskPort !== null;
        },
      });
      this.port.postMessage({ type: 'ready', maxBlock: WasmSampler.maxBlock(), clock: CLOCK?.name ?? null });
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * The engine trapped (or could not start): a wasm instance that trapped
   * may be in any state, so it is never called again. Tells the main thread,
   * which rejects what is pending and may restart the sampler on a new node.
   */
  fail(err) {
    if (this.stopped) return;
    this.stop();
    this.port.postMessage({ type: 'failed', message: describe(err) });
  }

  /**
   * Disposed (or replaced, after a failure) by the main thread: frees the
   * engine (its instruments, voices and buffers), stops, and closes the
   * port, whose listener would otherwise keep this processor alive.
   */
  dispose() {
    if (!this.stopped) {
      this.sampler.free();
      this.stop();
    }
    this.port.onmessage = null;
    this.port.close();
  }

  /** Lets go of the engine; process() returns false from now on. */
  stop() {
    this.stopped = true;
    // Its listener would keep this processor alive, and no task may run now.
    if (this.taskReceiver) this.taskReceiver.onmessage = null;
    this.taskReceiver?.close();
    this.taskPort?.close();
    this.taskPort = null;
    this.taskReceiver = null;
    this.sampler = null;
    this.engine = null;
    this.wasm = null;
    this.loads = null;
    this.inbox = null;
    this.left = null;
    this.right = null;
  }

  bindViews(frames) {
    const buffer = this.wasm.memory.buffer;
    this.frames = frames;
    this.left = new Float32Array(buffer, this.sampler.leftPtr(), frames);
    this.right = new Float32Array(buffer, this.sampler.rightPtr(), frames);
  }

  onMessage(msg) {
    if (msg.type === 'dispose') {
      this.dispose();
      return;
    }
    if (this.stopped) return;
    try {
      if (msg.type === 'test-trap') {
        // Ignored unless the sampler was created for tests.
        if (this.testTraps) this.engine.armTestTrap();
        return;
      }
      switch (msg.type) {
        case 'task-ports':
          [this.taskPort, this.taskReceiver] = msg.ports;
          this.taskReceiver.onmessage = () => this.runLoadTask();
          this.loads.wake();
          break;
        case 'instrument':
          this.loads.add(msg);
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
      // A trap (here: while building an instrument) ends the engine; any
      // other error is the request's own (bad options, a bad region).
      if (err instanceof WebAssembly.RuntimeError) this.fail(err);
      else this.port.postMessage({ type: 'error', id: msg.id, message: describe(err) });
    }
  }

  runLoadTask() {
    if (this.stopped) return;
    try {
      this.loads.runTask();
    } catch (err) {
      this.fail(err);
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

  process(_inputs, outputs) {
    if (this.stopped) return false;
    const out = outputs[0];
    const frames = out[0].length;
    const started = this.meter.begin();
    try {
      this.sampler.process(currentFrame, frames);
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
    this.meter.end(started, frames);
    this.checkRetiredSometimes(frames);
    return true;
  }

  /**
   * Replaced instruments whose notes still rang out when they were swapped
   * are freed once those notes end: a few times a second, while any wait,
   * a task is asked for (one posted message, not per quantum; the freeing
   * itself happens in that task, never here).
   */
  checkRetiredSometimes(frames) {
    if (!this.loads.retiredWaiting) return;
    this.framesSinceRetiredCheck += frames;
    if (this.framesSinceRetiredCheck >= RETIRED_CHECK_SECONDS * sampleRate) {
      this.framesSinceRetiredCheck = 0;
      this.loads.collectRetired();
    }
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
}

const describe = (err) => String(err && err.message ? err.message : err);

/**
 * A restarted sampler's new engine takes over the shared ring from the one
 * that failed: it starts at `index` (the producer's write index when the
 * restart began, so what was sent to the dead engine is not played in a
 * burst) with its counters at zero. The old consumer is gone, so this
 * processor is the ring's only consumer.
 */
function resumeRing(buffer, index) {
  const words = new Int32Array(buffer);
  for (let i = 0; i < STAT_COUNT; i++) Atomics.store(words, W_STATS + i, 0);
  Atomics.store(words, W_READ_INDEX, index);
}

registerProcessor('wasm-sampler', SamplerProcessor);
