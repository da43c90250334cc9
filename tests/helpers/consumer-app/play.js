// The scratch consumer app's code: what a developer who installed
// wasm-midi-sampler from npm would write. Shared by the Vite build, the Vite
// dev server and the plain <script type="module"> page (import map).
import { createSampler, SamplerError } from 'wasm-midi-sampler';

// An A4 sine shipped with the app (Vite emits it as an asset).
const TONE = new URL('./tone.wav', import.meta.url);

/**
 * Renders `seconds` of `note` played on the app's sine (root key A4) in an
 * OfflineAudioContext; returns the mono output as a plain array.
 */
export async function playNote({ note = 76, rate = 48000, seconds = 0.5 } = {}) {
  const context = new OfflineAudioContext(1, Math.round(rate * seconds), rate);
  const sampler = await createSampler(context);
  sampler.node.connect(context.destination);
  await sampler.loadSamples([{ url: TONE.href, rootKey: 69 }]);
  sampler.noteOn(note, 100, { time: 0.01 });
  const rendered = await context.startRendering();
  return Array.from(rendered.getChannelData(0));
}

window.consumer = {
  isolated: globalThis.crossOriginIsolated === true,
  isSamplerError: (e) => e instanceof SamplerError,
  playNote,
};
document.querySelector('#status').textContent = 'ready';
