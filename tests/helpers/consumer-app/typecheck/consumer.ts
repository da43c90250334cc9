// What a TypeScript developer writes against wasm-midi-sampler's types,
// checked with `strict` (tests/package.test.js): it must compile cleanly.
import {
  createSampler,
  isolationProblem,
  SamplerError,
  type LoadedInstrument,
  type MidiConnection,
  type SamplerErrorCode,
  type SamplerStats,
} from 'wasm-midi-sampler';

export async function start(button: HTMLButtonElement, show: (text: string) => void): Promise<void> {
  const problem: string | null = isolationProblem();
  if (problem) show(problem);
  const context = new AudioContext();
  const sampler = await createSampler(context, { latencyMode: 'lowest', maxPolyphony: 64, ringCapacity: 4096 });
  sampler.node.connect(context.destination);
  sampler.onstatechange = ({ state, error, autoRestart, restart }) => {
    if (state === 'failed') show(`stopped: ${error?.message ?? ''}${autoRestart ? '; restarting' : ''}`);
    if (state === 'running' && restart) show(`restarted in ${restart.ms} ms`);
  };
  let loaded: LoadedInstrument | null = null;
  try {
    loaded = await sampler.loadInstrument('/instruments/piano.sfz', {
      onProgress: (p) => show(`${p.phase}: ${p.loadedSamples}/${p.totalSamples}`),
    });
  } catch (err) {
    const code: SamplerErrorCode | null = err instanceof SamplerError ? err.code : null;
    show(code === 'instrument' ? `bad instrument: ${(err as Error).message}` : String(err));
  }
  if (loaded) show(`${loaded.name}: ${loaded.regions} regions, ${loaded.bytes} bytes`);
  await sampler.loadSamples([{ url: 'C4.wav', rootKey: 60, velLo: 1, velHi: 127 }], { releaseSeconds: 0.5 });
  await sampler.setInterpolation('hermite');
  await sampler.setVelocityCurve('fixed', { velocity: 100 });
  const voices: number = await sampler.setPolyphony(32);
  sampler.setMasterGain(0.8);
  button.onclick = async () => {
    await context.resume();
    const sent: boolean = sampler.noteOn(60, 100, { time: context.currentTime + 0.05, channel: 1 });
    sampler.noteOff(60, { time: context.currentTime + 0.5 });
    show(`${sent ? 'sent' : 'ring full'} (${voices} voices)`);
  };
  const midi: MidiConnection = await sampler.connectMidiInput('all', { onMessage: (status, d1, d2) => show(`${status} ${d1} ${d2}`) });
  if (midi.available) {
    for (const input of midi.inputs()) show(input.name ?? input.id);
    midi.access.addEventListener('statechange', () => show('MIDI devices changed'));
  } else {
    show(`${midi.error.code}: ${midi.error.message}`);
  }
  const stats: SamplerStats = sampler.stats();
  show(`${stats.received} received, ${stats.dropped} dropped`);
  sampler.dispose();
}
