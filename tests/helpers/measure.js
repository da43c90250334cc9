// Audio measurements shared by the browser tests.

/** Autocorrelation pitch between `lo` and `hi` Hz, refined by parabolic interpolation. */
export function pitchOf(samples, rate, lo = 300, hi = 1000) {
  const n = samples.length;
  const minLag = Math.floor(rate / hi);
  const maxLag = Math.ceil(rate / lo);
  const corr = new Float64Array(maxLag + 2);
  for (let lag = minLag - 1; lag <= maxLag + 1; lag++) {
    let s = 0;
    for (let i = 0; i + lag < n; i++) s += samples[i] * samples[i + lag];
    corr[lag] = s;
  }
  let best = minLag;
  for (let lag = minLag; lag <= maxLag; lag++) if (corr[lag] > corr[best]) best = lag;
  const [a, b, c] = [corr[best - 1], corr[best], corr[best + 1]];
  const shift = (a - c) / (2 * (a - 2 * b + c));
  return rate / (best + shift);
}

export const rms = (x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

/** First index at or after `from` where |x| exceeds `threshold`, or -1. */
export function onset(x, from = 0, threshold = 1e-6) {
  for (let i = from; i < x.length; i++) if (Math.abs(x[i]) > threshold) return i;
  return -1;
}

/** The left channel of a 16-bit PCM WAV as floats, and its rate. */
export function readWav16(buffer) {
  let at = 12;
  let channels = 1;
  let rate = 0;
  while (at + 8 <= buffer.length) {
    const id = buffer.toString('latin1', at, at + 4);
    const size = buffer.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      channels = buffer.readUInt16LE(at + 10);
      rate = buffer.readUInt32LE(at + 12);
    }
    if (id === 'data') {
      const frames = Math.floor(size / (2 * channels));
      const out = new Float32Array(frames);
      for (let i = 0; i < frames; i++) out[i] = buffer.readInt16LE(at + 8 + i * 2 * channels) / 32768;
      return { samples: out, rate };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

/** A format-0 MIDI file: `events` as [seconds, bytes[]], at 120 bpm, 480 ticks a beat. */
export function midiFile(events) {
  const track = [];
  let last = 0;
  const varLen = (v) => {
    const bytes = [v & 0x7f];
    while ((v >>= 7)) bytes.unshift((v & 0x7f) | 0x80);
    return bytes;
  };
  for (const [seconds, bytes] of events) {
    const tick = Math.round(seconds * 960);
    track.push(...varLen(tick - last), ...bytes);
    last = tick;
  }
  track.push(0, 0xff, 0x2f, 0);
  const header = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0];
  const len = track.length;
  return Buffer.from([...header, 0x4d, 0x54, 0x72, 0x6b, len >>> 24, (len >> 16) & 255, (len >> 8) & 255, len & 255, ...track]);
}
