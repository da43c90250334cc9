// The worklet's DSP-load meter (worklet/render-meter.js) with fake clocks:
// which clock it picks, and that what it publishes is the render time, also
// when only a random sample of the quanta is timed, and tasks between quanta.
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
 * simulation: quantum k takes `cost(k)` ms, and after it a task (loading)
 * takes `task(k)` ms when that is not null. Returns what was published and
 * what endTask() returned.
 */
function simulate(clock, quanta, cost, { task = () => null } = {}) {
  let now = 1000;
  const meter = new RenderMeter({ ...clock, now: () => now }, RATE, (ppm, overBudget) => published.push({ load: ppm / 1e6, overBudget }));
  const published = [];
  const taskMs = [];
  for (let k = 0; k < quanta; k++) {
    const started = meter.begin();
    now += cost(k);
    meter.end(started, QUANTUM);
    let idle = QUANTUM_MS - cost(k) + 0.37; // until the next quantum, not counted
    const t = task(k);
    if (t !== null) {
      const taskStarted = meter.beginTask();
      now += t;
      taskMs.push(meter.endTask(taskStarted));
      idle -= t;
    }
    now += idle;
  }
  return Object.assign(published, { taskMs });
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

test('tasks between quanta (loading) are always timed and count in the load and over budget', () => {
  // Every 10th quantum is followed by a 1.3 ms task, whatever the sampling.
  const task = (k) => (k % 10 === 0 ? 1.3 : null);
  const published = simulate({ name: 'Temporal.Now', sampleEvery: TEMPORAL_SAMPLE_EVERY }, 30 * oneSecond, () => 0.2, { task });
  assert.equal(published.taskMs.length, Math.ceil((30 * oneSecond) / 10), 'every task is timed');
  for (const ms of published.taskMs) assert.ok(Math.abs(ms - 1.3) < 1e-9, `endTask returns the task's time: ${ms}`);
  const truth = (10 * 0.2 + 1.3) / 10 / QUANTUM_MS;
  const mean = published.reduce((sum, p) => sum + p.load, 0) / published.length;
  assert.ok(Math.abs(mean - truth) / truth < 0.05, `${mean.toFixed(4)} vs ${truth.toFixed(4)}`);
  assert.equal(published.at(-1).overBudget, 0, 'no task is longer than a quantum');
  // Tasks longer than a quantum delay the next one: each is over budget, counted once.
  const long = simulate({ name: 'performance.now', sampleEvery: 1 }, 10 * oneSecond, () => 0.2, { task: (k) => (k % 100 === 0 ? 3.0 : null) });
  assert.equal(long.at(-1).overBudget, Math.ceil((long.length * oneSecond) / 100));
});

test('without a clock nothing is published, so stats() says null', () => {
  const meter = new RenderMeter(null, RATE, () => assert.fail('published without a clock'));
  for (let k = 0; k < 3 * oneSecond; k++) {
    meter.end(meter.begin(), QUANTUM);
    assert.equal(meter.endTask(meter.beginTask()), null);
  }
});
