// The audio thread's queue of future events (crates/sampler-core/src/
// event_queue.rs), measured in audio rendered by the wasm engine in headless
// Chromium: when far-future events fill it, an event due now still plays on
// its frame, and every event lost shows in stats().dropped.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { collectErrors } from './helpers/browser.js';
import { browserSuite, API, TIMEOUT } from './helpers/browser-suite.js';
import { onset } from './helpers/measure.js';

const RATE = 48000;
const QUEUE = 4096; // Host::DEFAULT_MAX_PENDING

const suite = browserSuite({ page: true });

describe('the event ring before an offline render', () => {
  test('everything sent before startRendering() counts against ringCapacity: past it, sends return false and count as dropped', TIMEOUT, async () => {
    const { accepted, stats } = await suite.page.evaluate(async ({ api, rate }) => {
      const { createSampler } = await import(api);
      const ctx = new OfflineAudioContext(1, rate, rate);
      const sampler = await createSampler(ctx); // the default ringCapacity, 1024
      sampler.node.connect(ctx.destination);
      await sampler.loadSamples([{ channels: [new Float32Array(rate).fill(0.5)], sampleRate: rate, rootKey: 60 }]);
      let accepted = 0;
      for (let i = 0; i < 1500; i++) accepted += sampler.noteOn(60, 100, { time: i / 1500 }) ? 1 : 0;
      await ctx.startRendering();
      return { accepted, stats: sampler.stats() };
    }, { api: API, rate: RATE });
    assert.equal(accepted, 1024, 'the ring held the first 1024 events, not one quantum\'s worth');
    assert.equal(stats.ringDropped, 1500 - 1024);
    assert.equal(stats.received, 1024);
  });
});

describe('the queue of future events', () => {
  test('a note due now sounds on its frame after 4,200 note-ons were scheduled a minute ahead', TIMEOUT, async () => {
    const errors = collectErrors(suite.page);
    const far = 4200;
    const { out, stats, accepted, dueFrame } = await suite.page.evaluate(
      async ({ api, rate, far }) => {
        const { createSampler } = await import(api);
        const ctx = new OfflineAudioContext(1, rate / 4, rate);
        // A ring large enough for the whole burst, so none is refused there.
        const sampler = await createSampler(ctx, { ringCapacity: 8192 });
        sampler.node.connect(ctx.destination);
        // A constant sample: the first non-zero frame is the note's onset.
        await sampler.loadSamples([{ channels: [new Float32Array(rate).fill(0.5)], sampleRate: rate, rootKey: 60 }]);
        let accepted = 0;
        for (let i = 0; i < far; i++) accepted += sampler.noteOn(60, 100, { time: 60 + i / rate }) ? 1 : 0;
        await sampler.sync();
        // 64 quanta in, when the far-future events have all been taken from
        // the ring (128 a quantum: 33 quanta) and fill the queue: one note for now.
        const dueFrame = 64 * 128;
        ctx.suspend(dueFrame / rate).then(async () => {
          sampler.noteOn(60, 100, { time: dueFrame / rate });
          await sampler.sync();
          await ctx.resume();
        });
        const rendered = await ctx.startRendering();
        await sampler.sync();
        return { out: Array.from(rendered.getChannelData(0)), stats: sampler.stats(), accepted, dueFrame };
      },
      { api: API, rate: RATE, far },
    );
    assert.equal(accepted, far, 'the ring took every far-future note-on');
    assert.equal(onset(out), dueFrame, `the due note must start on frame ${dueFrame}`);
    assert.equal(stats.received, far + 1);
    assert.equal(stats.late, 0);
    // The queue kept the earliest events; the furthest ones lost their place.
    assert.equal(stats.queueDropped, far + 1 - QUEUE);
    assert.equal(stats.ringDropped, 0);
    assert.equal(stats.dropped, stats.queueDropped + stats.ringDropped, 'dropped counts every event lost');
    assert.ok(stats.dropped > 0);
    assert.deepEqual(errors, []);
  });
});
