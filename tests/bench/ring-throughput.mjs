// JS → wasm event throughput (`npm run bench`): the JS producer fills the
// ring, the wasm engine drains, schedules and applies the events in
// process(), as in the worklet. Runs the real glue and module in Node (V8,
// the same engine as Chromium). Prints one line per case.
import { readFileSync } from 'node:fs';
import { initSync, WasmSampler } from '../../web/generated/sampler_wasm.js';
import { MidiRing, FLAG_IMMEDIATE } from '../../web/ring.js';

initSync({ module: readFileSync(new URL('../../web/generated/sampler_wasm_bg.wasm', import.meta.url)) });

// When each event of quantum q is due: at once (immediate), spread over
// three quanta ahead (they wait in the scheduler's queue, ~3000 held), or a
// minute ahead (the queue fills and stays full: every event then meets a
// full queue).
const AT_ONCE = () => [0, FLAG_IMMEDIATE];
const AHEAD = (q, i) => [(q + 3) * 128 + ((i * 37) & 127), 0];
const FAR_AHEAD = (q, i) => [48000 * 60 + q * 128 + (i & 127), 0];

function run(label, capacity, perQuantum, quanta, when = AT_ONCE) {
  const ring = MidiRing.create(capacity);
  const sampler = new WasmSampler(48000, ring.buffer, 128);
  let sent = 0;
  const t0 = performance.now();
  for (let q = 0; q < quanta; q++) {
    // CC 20 (unused by the engine): measures transport, scheduling and
    // dispatch, not voice work.
    for (let i = 0; i < perQuantum; i++) {
      const [frame, flags] = when(q, i);
      sent += ring.trySend(frame, 0xb0, 20, i & 127, 3, 0, flags) ? 1 : 0;
    }
    sampler.process(q * 128, 128);
  }
  const seconds = (performance.now() - t0) / 1000;
  const stats = ring.stats();
  if (stats.received !== sent || sent !== perQuantum * quanta) throw new Error(`lost events: sent ${sent}, received ${stats.received}`);
  console.log(`${label}: ${(sent / seconds / 1e6).toFixed(2)} M events/s (${sent} events, ${(seconds * 1e3).toFixed(0)} ms, including ${quanta} silent 128-frame renders)`);
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

run('warm-up', 1024, 1024, 2000);
run('JS → wasm, 1024 events per quantum', 1024, 1024, 5000);
run('JS → wasm, 16 events per quantum', 1024, 16, 100000);
run('JS → wasm, 1024 events per quantum, due 3 quanta ahead', 1024, 1024, 5000, AHEAD);
run('JS → wasm, 1024 events per quantum, a minute ahead (queue full)', 1024, 1024, 5000, FAR_AHEAD);
producerOnly(1024, 10_000_000);
