// The worklet's DSP-load meter (worklet/render-meter.js) with fake clocks:
// which clock it picks, and that what it publishes is the render time, also
// when only a random sample of the quanta is timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RenderMeter, renderClock, TEMPORAL_SAMPLE_EVERY } from '../worklet/render-meter.js';

const RATE = 48000;
const QUANTUM = 128;
const QUANTUM_MS = (1000 * QUANTUM) / RATE;

test('the clock: performance.now, else Temporal.Now (sampled), else none; never Date.now', () => {
  const perf = renderClock({ performance: { now: () => 12.5 }, Temporal: { Now: { instant: () => ({ epochNanoseconds: 0n }) } } });
  assert.equal(perf.name, 'performance.now');
  assert.equal(perf.now(), 12.5);
  assert.equal(perf.sampleEvery, 1);
  const temporal = renderClock({ Temporal: { Now: { instant: () => ({ epochNanoseconds: 1_796_105_354_885_123_456n }) } } });
  assert.equal(temporal.name, 'Temporal.Now');
  assert.equal(temporal.sampleEvery, TEMPORAL_SAMPLE_EVERY);
  assert.ok(Math.abs(temporal.now() - 1_796_105_354_885.123456) < 1e-3, 'milliseconds with microsecond precision');
  assert.equal(renderClock({ Date }), null, 'a scope with only Date.now() has no clock fine enough');
});

/**
 * Runs `quanta` quanta through a meter whose clock is advanced by the
 * simulation: quantum k takes `cost(k)` ms. Returns what was published.
 */
function simulate(clock, quanta, cost, { always = () => false } = {}) {
  let now = 1000;
  const meter = new RenderMeter({ ...clock, now: () => now }, RATE, (ppm, overBudget) => published.push({ load: ppm / 1e6, overBudget }));
  const published = [];
  for (let k = 0; k < quanta; k++) {
    const forced = always(k);
    const started = meter.begin(forced);
    now += cost(k);
    meter.end(started, QUANTUM, forced);
    now += QUANTUM_MS - cost(k) + 0.37; // idle until the next quantum, not counted
  }
  return published;
}

const oneSecond = Math.ceil(RATE / QUANTUM);

test('a clock read every quantum: the load is the render time over real time', () => {
  const published = simulate({ name: 'performance.now', sampleEvery: 1 }, 3 * oneSecond, (k) => (k % 3 === 0 ? 0.6 : 0.15));
  assert.equal(published.length, 3, 'once a second');
  const truth = (0.6 + 0.15 + 0.15) / 3 / QUANTUM_MS;
  for (const p of published) assert.ok(Math.abs(p.load - truth) < 0.002, `${p.load} vs ${truth}`);
  assert.equal(published.at(-1).overBudget, 0);
});

test('a sampled clock: an unbiased estimate, and over-budget quanta counted for the quanta they stand for', () => {
  // Bursts of four quanta, the first of each the costly one: a sample that
  // followed the burst pattern would be badly off.
  const cost = (k) => (k % 4 === 0 ? 2.0 : 0.1);
  const published = simulate({ name: 'Temporal.Now', sampleEvery: TEMPORAL_SAMPLE_EVERY }, 30 * oneSecond, cost);
  const truth = (2.0 + 3 * 0.1) / 4 / QUANTUM_MS;
  const mean = published.reduce((sum, p) => sum + p.load, 0) / published.length;
  assert.ok(Math.abs(mean - truth) / truth < 0.05, `mean of ${published.length} windows ${mean.toFixed(4)} vs ${truth.toFixed(4)}`);
  for (const p of published) assert.ok(p.load > truth / 2 && p.load < truth * 2, `every window is near: ${p.load}`);
  // No quantum is over budget (2.0 ms < 2.67 ms) ...
  assert.equal(published.at(-1).overBudget, 0);
  // ... until the costly ones are: a quarter of all quanta, estimated.
  const over = simulate({ name: 'Temporal.Now', sampleEvery: TEMPORAL_SAMPLE_EVERY }, 30 * oneSecond, (k) => (k % 4 === 0 ? 3.0 : 0.1));
  const quanta = over.length * oneSecond;
  const estimate = over.at(-1).overBudget;
  assert.ok(Math.abs(estimate - quanta / 4) / (quanta / 4) < 0.1, `estimated ${estimate} of ${quanta / 4} over budget`);
});

test('quanta timed on purpose (loading) count once, alongside the sampled ones', () => {
  // Every 10th quantum copies samples and is always timed.
  const cost = (k) => (k % 10 === 0 ? 1.5 : 0.2);
  const published = simulate({ name: 'Temporal.Now', sampleEvery: TEMPORAL_SAMPLE_EVERY }, 30 * oneSecond, cost, { always: (k) => k % 10 === 0 });
  const truth = (1.5 + 9 * 0.2) / 10 / QUANTUM_MS;
  const mean = published.reduce((sum, p) => sum + p.load, 0) / published.length;
  assert.ok(Math.abs(mean - truth) / truth < 0.05, `${mean.toFixed(4)} vs ${truth.toFixed(4)}`);
});

test('without a clock nothing is published, so stats() says null', () => {
  const meter = new RenderMeter(null, RATE, () => assert.fail('published without a clock'));
  for (let k = 0; k < 3 * oneSecond; k++) meter.end(meter.begin(k % 2 === 0), QUANTUM);
});
