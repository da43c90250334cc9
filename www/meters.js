// The meters: output level measured on the main thread from an
// AnalyserNode, and the engine's own counters from sampler.stats() (read
// from the shared buffer the worklet publishes into every quantum).

const $ = (id) => document.getElementById(id);
const FLOOR_DB = -60; // the level bar's left end
const PEAK_HOLD_MS = 1000;

const dbfs = (amplitude) => (amplitude > 0 ? 20 * Math.log10(amplitude) : -Infinity);
const showDb = (db) => (db < -90 ? 'silent' : `${db.toFixed(1)} dBFS`);
const ms = (seconds) => `${(seconds * 1000).toFixed(1)} ms`;

/** Peak and RMS of a block of samples. */
export function levels(samples) {
  let peak = 0;
  let sum = 0;
  for (const x of samples) {
    const a = Math.abs(x);
    if (a > peak) peak = a;
    sum += x * x;
  }
  return { peak, rms: Math.sqrt(sum / samples.length) };
}

/**
 * Starts updating the meters ten times a second from `sampler` and a
 * 2048-frame `analyser` (about 43 ms at 48 kHz: one display period). Returns
 * a function that refreshes the latency text at once (after a mode change).
 */
export function startMeters(sampler, analyser) {
  const buffer = new Float32Array(analyser.fftSize);
  let held = { db: -Infinity, at: 0 };
  const context = sampler.context;

  const showLatency = () => {
    const constant = sampler.latencyMode === 'constant';
    $('latency').textContent = `latency: ${ms(sampler.latency)} (${constant ? 'constant' : 'lowest: the mean, varies by one output buffer'})`;
    const parts = [];
    if (typeof context.baseLatency === 'number') parts.push(`base latency ${ms(context.baseLatency)}`);
    if (typeof context.outputLatency === 'number') parts.push(`output latency ${ms(context.outputLatency)}`);
    $('latency-detail').textContent = constant
      ? `Key to speaker is the fixed scheduling delay, which includes the context's ${parts.join(' and ')}, two render quanta and 3 ms for event jitter.`
      : `Waiting for the next render (on average half the output buffer, the base latency), then the output latency (which includes one buffer) and what waits in the queue between them (up to a quantum); ${parts.join(', ')}.`;
  };

  const update = () => {
    analyser.getFloatTimeDomainData(buffer);
    const { peak, rms } = levels(buffer);
    const peakDb = dbfs(peak);
    const now = performance.now();
    if (peakDb >= held.db || now - held.at > PEAK_HOLD_MS) held = { db: peakDb, at: now };
    const width = (db) => `${Math.max(0, Math.min(100, ((db - FLOOR_DB) / -FLOOR_DB) * 100))}%`;
    $('level-rms').style.width = width(dbfs(rms));
    $('level-peak').style.width = width(peakDb);
    $('level-hold').style.left = width(held.db);
    $('level-bar').classList.toggle('clip', peak >= 1);
    $('stat-level').textContent = `peak ${showDb(peakDb)}, RMS ${showDb(dbfs(rms))}`;

    const s = sampler.stats();
    $('stat-voices').textContent = s.activeVoices;
    $('stat-received').textContent = s.received;
    $('stat-late').textContent = s.late;
    // stats().dropped counts every event lost; say where, when any were.
    $('stat-dropped').textContent = s.dropped > 0 ? `${s.dropped} (ring full ${s.ringDropped}, queue full ${s.queueDropped})` : '0';
    $('stat-fill').textContent = `${s.fill}/${s.capacity} (max ${s.maxFill})`;
    $('stat-dsp').textContent = typeof s.dspLoad === 'number' ? `${(s.dspLoad * 100).toFixed(1)} %` : 'n/a';
    $('context-state').textContent = context.state;
  };

  update();
  showLatency();
  setInterval(update, 100);
  return showLatency;
}
