// Mistakes the types must catch: every line marked MISTAKE must be an
// error under strict type-checking, and no other line (tests/package.test.js).
import { createSampler, type SamplerErrorCode } from 'wasm-midi-sampler';

export async function wrong(context: AudioContext): Promise<void> {
  const sampler = await createSampler(context, { latencyMode: 'fast' }); // MISTAKE: not a latency mode
  sampler.noteOn('60', 100); // MISTAKE: a note is a number
  await sampler.setInterpolation('cubic'); // MISTAKE: 'linear' or 'hermite'
  await sampler.setVelocityCurve('soft', { velocity: '100' }); // MISTAKE: velocity is a number
  const code: SamplerErrorCode = 'not-a-code'; // MISTAKE: not an error code
  await sampler.loadInstrument('/piano.sfz', { onProgress: (p: string) => p }); // MISTAKE: progress is an object
  const midi = await sampler.connectMidiInput('all');
  midi.access.addEventListener('statechange', () => {}); // MISTAKE: access is null unless midi.available
  sampler.stats().voices; // MISTAKE: the field is activeVoices
  await sampler.loadSamples([{ url: 'C4.wav' }]); // MISTAKE: rootKey is required
  void code;
}
