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
import { layoutDifferences } from '../web/ring.js';

class SamplerProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.failed = false;
    this.port.onmessage = (e) => this.onMessage(e.data);
    try {
      const { module, ring, maxPolyphony } = options.processorOptions;
      this.wasm = initSync({ module });
      const differences = layoutDifferences(ringLayout());
      if (differences.length) throw new Error(`ring layout differs between wasm and JS in: ${differences.join(', ')}`);
      this.sampler = new WasmSampler(sampleRate, ring, maxPolyphony ?? 256);
      this.bindViews(128);
      this.port.postMessage({ type: 'ready', maxBlock: WasmSampler.maxBlock() });
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
        default:
          this.port.postMessage({ type: 'error', message: `unknown message type ${msg.type}` });
      }
    } catch (err) {
      this.port.postMessage({ type: 'error', id: msg.id, message: String(err && err.message ? err.message : err) });
    }
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
    try {
      this.sampler.process(currentFrame, frames);
    } catch (err) {
      // A trap leaves the wasm instance unusable; go silent and say why.
      this.fail(err);
      return true;
    }
    // Views are detached (length 0) after wasm memory grows.
    if (this.left.length !== frames) this.bindViews(frames);
    out[0].set(this.left);
    if (out.length > 1) out[1].set(this.right);
    return true;
  }
}

const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

registerProcessor('wasm-sampler', SamplerProcessor);
