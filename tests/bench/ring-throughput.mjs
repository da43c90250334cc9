// JS → wasm event throughput (`npm run bench`): the JS producer fills the
// ring, the wasm engine drains, schedules and applies the events in
// process(), as in the worklet. Runs the real glue and module in Node (V8,
// the same engine as Chromium). Prints one line per case.
import { readFileSync } from 'node:fs';
import { initSync, WasmSampler } from '../../web/generated/sampler_wasm.js';
import { MidiRing, FLAG_IMMEDIATE } from '../../web/ring.js';

initSync({ module: readFileSync(new URL('../../web/generated/sampler_wasm_bg.wasm', import.meta.url)) });

// When each event of quantum q is due: at once (immediate), spread over
// three quanta ahead (they wait in the scheduler's queue), scattered over
// the next 31 quanta, or a minute ahead
// (the queue of 4096 fills and stays full: every event then meets a full
// queue).
const AT_ONCE = () => [0, FLAG_IMMEDIATE];
const AHEAD = (q, i) => [(q + 3) * 128 + ((i * 37) & 127), 0];
const FAR_AHEAD = (q, i) => [48000 * 60 + q * 128 + (i & 127), 0];
// Spread at random over the next 31 quanta: about 2000 wait in the queue and
// each new one lands somewhere in the middle of it.
const SCATTERED = (q, i) => [(q + 1 + ((q * 131 + i * 7919) % 31)) * 128 + ((i * 37) & 127), 0];

/** A one-region instrument (a short constant sample on every key), so note-ons start voices. */
function loadTinyInstrument(sampler) {
  sampler.beginInstrument();
  sampler.addSample(new Float32Array(4800).fill(0.5), undefined, 48000);
  sampler.addRegionValue({ sample: 0, root_key: 60 });
  sampler.commitInstrument(undefined);
}

// The message of event i: CC 20 (unused by the engine: measures transport,
// scheduling and dispatch, not voice work), or a note-on that starts a voice
// (256 voices, createSampler's default: from the first quantum's 257th
// note-on on, each one steals a voice).
const CC_20 = (i) => [0xb0, 20, i & 127];
const NOTE_ON = (i) => [0x90, 24 + (i % 80), 100];

function run(label, capacity, perQuantum, quanta, when = AT_ONCE, message = CC_20) {
  const ring = MidiRing.create(capacity);
  const sampler = new WasmSampler(48000, ring.buffer, 256);
  if (message === NOTE_ON) loadTinyInstrument(sampler);
  let sent = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let q = 0; q < quanta; q++) {
    for (let i = 0; i < perQuantum; i++) {
      const [frame, flags] = when(q, i);
      const [status, data1, data2] = message(i);
      sent += ring.trySend(frame, status, data1, data2, 3, 0, flags) ? 1 : 0;
    }
    sampler.process(q * 128, 128);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuNs = ((cpu.user + cpu.system) * 1000) / sent;
  const stats = ring.stats();
  if (stats.received !== sent || sent !== perQuantum * quanta) throw new Error(`lost events: sent ${sent}, received ${stats.received}`);
  // Wall-clock rate, and CPU time per event (this process's CPU time: on a
  // shared machine it does not count time spent waiting for a core).
  const renders = message === NOTE_ON ? 'renders of up to 256 voices' : 'silent renders';
  console.log(`${label}: ${(sent / seconds / 1e6).toFixed(2)} M events/s, ${cpuNs.toFixed(0)} ns CPU per event (${sent} events in ${quanta} quanta, including the 128-frame ${renders})`);
  sampler.free();
}

function producerOnly(capacity, events) {
  const ring = MidiRing.create(capacity);
  const words = new Int32Array(ring.buffer);
  const t0 = performance.now();
  for (let i = 0; i < events; i++) {
    ring.trySend(i, 0x90, 60, 100);
    if ((i & (capacity - 1)) === capacity - 1) Atomics.store(words, 32, (i + 1) | 0); // free the slots
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`JS producer alone: ${(events / seconds / 1e6).toFixed(2)} M events/s`);
}

// 128 events per quantum: Host::MAX_DRAIN_PER_QUANTUM, the most one quantum
// takes from the ring (more would stay in the ring and fill it).
const CAP = 128;
run('warm-up', 1024, CAP, 10000);
run(`JS → wasm, ${CAP} events per quantum`, 1024, CAP, 40000);
run('JS → wasm, 16 events per quantum', 1024, 16, 100000);
run(`JS → wasm, ${CAP} events per quantum, due 3 quanta ahead`, 1024, CAP, 40000, AHEAD);
run(`JS → wasm, ${CAP} events per quantum, scattered over 31 quanta ahead`, 1024, CAP, 40000, SCATTERED);
run(`JS → wasm, ${CAP} events per quantum, a minute ahead (queue full)`, 1024, CAP, 40000, FAR_AHEAD);
run(`JS → wasm, ${CAP} note-ons per quantum, each starting a voice`, 1024, CAP, 8000, AT_ONCE, NOTE_ON);
producerOnly(1024, 10_000_000);
