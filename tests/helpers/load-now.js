// Loads an instrument into a WasmSampler driven directly from a test or a
// benchmark (no worklet): the worklet's own loader (worklet/instrument-loads.js),
// its tasks run one after another with no rendering in between.
import { InstrumentLoads } from '../../worklet/instrument-loads.js';
import { encodeInstrument } from '../../web/instrument-loader.js';

/** Runs `loads` until it has nothing left to do, one task after another. */
function runLoadsNow(loads) {
  for (let guard = 0; loads.busy; guard++) {
    if (guard > 1e7) throw new Error('the load does not finish');
    loads.runTask();
  }
}

const untimed = { now: () => null, beginTask: () => null, endTask: () => null };

/**
 * A loader for `sampler` in the glue instance whose `memory` is given.
 * `add(samples, regions, options)` queues a load; `replies` collects what
 * the worklet would post.
 */
export function directLoads(sampler, memory, { meter = untimed } = {}) {
  const replies = [];
  const loads = new InstrumentLoads({ sampler, memory: () => memory, post: (m) => replies.push(m), meter, schedule: () => false });
  let id = 0;
  return {
    loads,
    replies,
    add(samples, regions, options = {}) {
      const bytes = encodeInstrument(regions, options, samples);
      loads.add({ id: `instrument-${++id}`, samples, regions: bytes, regionCount: regions.length });
    },
    run: () => runLoadsNow(loads),
  };
}

/** Loads one instrument at once; returns the worklet's reply (throws its error). */
export function loadNow(sampler, memory, samples, regions, options) {
  const direct = directLoads(sampler, memory);
  direct.add(samples, regions, options);
  direct.run();
  const reply = direct.replies[0];
  if (reply?.type !== 'instrument-loaded') throw new Error(reply?.message ?? 'no reply');
  return reply;
}
