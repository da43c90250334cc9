// Loading instruments on the main thread: parsing (a second instance of the
// engine's wasm module, used only for parsing), fetching and decoding. The
// worklet receives finished regions and sample data and only swaps them in.

import { initSync, encodeInstrument as encode } from './generated/sampler_wasm.js';

let initialised = false;

/** Instantiates the parsing side of the engine once per page. */
export function initLoader(module) {
  if (!initialised) {
    initSync({ module });
    initialised = true;
  }
}

export { pathToUrl } from './file-source.js';

/**
 * Checks `regions` (objects with the engine's Region fields) against the
 * samples (`{ channels }`) and returns them with `options` as bytes for the
 * worklet (a Uint8Array; crates/sampler-wasm/src/instrument_bytes.rs).
 * Throws an Error naming the first bad region.
 */
export function encodeInstrument(regions, options, samples) {
  samples.forEach(({ channels }, i) => {
    if (!Array.isArray(channels) || channels.length < 1 || channels.length > 2) {
      throw new Error(`sample ${i}: ${channels?.length ?? 0} channels; only mono and stereo are supported`);
    }
    const type = channels[0].constructor;
    if (!(channels[0] instanceof Float32Array || channels[0] instanceof Int16Array) || channels.some((c) => c.constructor !== type)) {
      throw new Error(`sample ${i}: channels must be all Float32Array or all Int16Array`);
    }
    if (channels.some((c) => c.length !== channels[0].length)) throw new Error(`sample ${i}: the sample's channels differ in length`);
  });
  return encode(regions, options ?? {}, Uint32Array.from(samples, (s) => s.channels[0].length));
}

/**
 * What a WAV file's header says: { sampleRate, unityNote, loop } with
 * `loop` = { start, end } (end exclusive) from the first loop of the `smpl`
 * chunk, and `unityNote` its root key; null when `bytes` is not a RIFF WAVE
 * file. Never throws on bad input.
 */
export function wavInfo(bytes) {
  const view = new DataView(bytes);
  const tag = (at) => String.fromCharCode(...new Uint8Array(bytes, at, 4));
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return null;
  const info = { sampleRate: 0, unityNote: null, loop: null };
  for (let at = 12; at + 8 <= bytes.byteLength; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ' && size >= 16 && body + 16 <= bytes.byteLength) info.sampleRate = view.getUint32(body + 4, true);
    // smpl: 36 bytes of header (unity note at 12, loop count at 28), then
    // 24-byte loop records.
    if (id === 'smpl' && size >= 36 && body + 36 <= bytes.byteLength) {
      const note = view.getUint32(body + 12, true);
      if (note <= 127) info.unityNote = note;
    }
    if (id === 'smpl' && size >= 60 && body + 60 <= bytes.byteLength && view.getUint32(body + 28, true) > 0) {
      const start = view.getUint32(body + 36 + 8, true);
      const end = view.getUint32(body + 36 + 12, true);
      if (end >= start) info.loop = { start, end: end + 1 };
    }
    at = body + size + (size & 1);
  }
  return info;
}

/**
 * The sample rate an MP3, FLAC or Ogg Vorbis file was recorded at, read from
 * its first header, or 0 when unknown. Never throws on bad input.
 */
export function compressedRate(bytes) {
  const b = new Uint8Array(bytes);
  const ascii = (at, n) => String.fromCharCode(...b.subarray(at, at + n));
  if (b.length >= 22 && ascii(0, 4) === 'fLaC') {
    // STREAMINFO follows the 4-byte block header; the rate is 20 bits at byte 10.
    return (b[18] << 12) | (b[19] << 4) | (b[20] >> 4);
  }
  if (b.length >= 44 && ascii(0, 4) === 'OggS' && ascii(29, 6) === 'vorbis') {
    // First page: 27-byte header + 1 lacing byte, then the identification packet.
    return new DataView(bytes).getUint32(40, true);
  }
  let at = 0;
  if (b.length >= 10 && ascii(0, 3) === 'ID3') at = 10 + ((b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9]);
  for (const end = Math.min(b.length - 3, at + 65536); at < end; at++) {
    if (b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) continue;
    const version = (b[at + 1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    const index = (b[at + 2] >> 2) & 3;
    const base = [44100, 48000, 32000][index];
    if (version === 1 || !base) continue;
    return version === 3 ? base : version === 2 ? base / 2 : base / 4;
  }
  return 0;
}

/**
 * Decodes audio file bytes (WAV, MP3, OGG, FLAC) and returns
 * { channels, sampleRate, loop, unityNote }. Files are decoded at their own
 * rate where their header says it (an OfflineAudioContext at that rate does
 * not resample): offsets and loop points in source frames stay exact, and
 * no memory is spent on upsampling. A WAV's `smpl` loop and root note come
 * along. Channels are Int16Array when `int16` (half the memory; right for
 * 16-bit and lossy sources), else Float32Array. `bytes` is detached.
 */
export async function decodeAudio(context, bytes, int16) {
  const wav = wavInfo(bytes);
  const rate = wav ? wav.sampleRate : compressedRate(bytes);
  const nativeRate = rate >= 3000 && rate <= 768000 ? rate : 0;
  const decoder = nativeRate && nativeRate !== context.sampleRate ? new OfflineAudioContext(1, 1, nativeRate) : context;
  let buffer;
  try {
    buffer = await decoder.decodeAudioData(bytes);
  } catch (err) {
    // Chromium's message is only "Unable to decode audio data".
    throw new Error(`not audio the browser can decode (${err.message})`, { cause: err });
  }
  return { ...bufferChannels(buffer, int16), loop: wav?.loop ?? null, unityNote: wav?.unityNote ?? null };
}

/** decodeAudio of the file at `url`. */
export async function decodeSample(context, url, int16) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return decodeAudio(context, await response.arrayBuffer(), int16);
}

/** Copies of an AudioBuffer's first one or two channels, and its rate. */
export function bufferChannels(buffer, int16) {
  const channels = [];
  for (let c = 0; c < Math.min(2, buffer.numberOfChannels); c++) {
    const data = buffer.getChannelData(c);
    channels.push(int16 ? toInt16(data) : data.slice());
  }
  return { channels, sampleRate: buffer.sampleRate };
}

/**
 * Completes regions from their sample files where the instrument said to
 * (`fromSample[i]` from the parser): the root key for
 * `pitch_keycenter=sample`, SFZ's implicit loop when the file has one, and
 * loop points for looping regions that did not name them. A looping region
 * with no loop points anywhere plays unlooped, with a warning.
 */
export function applySampleInfo(regions, fromSample, samples, sampleNames, warnings) {
  regions.forEach((r, i) => {
    const want = fromSample[i] ?? {};
    const file = samples[r.sample];
    const name = sampleNames[r.sample];
    if (want.root_key) {
      if (file.unityNote !== null && file.unityNote !== undefined) r.root_key = file.unityNote;
      else warnings.push(`${name}: pitch_keycenter=sample, but the file gives no root key; using 60`);
    }
    if (want.loop_mode && file.loop) r.loop_mode = 'Continuous';
    const looping = r.loop_mode === 'Continuous' || r.loop_mode === 'Sustain';
    if (looping && (want.loop_points || r.loop_end === 0)) {
      if (file.loop) {
        r.loop_start = file.loop.start;
        r.loop_end = file.loop.end;
      } else {
        r.loop_mode = 'NoLoop';
        warnings.push(`${name}: the region loops but neither it nor the file gives loop points; playing it unlooped`);
      }
    }
  });
}

function toInt16(data) {
  const out = new Int16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = Math.max(-1, Math.min(1, data[i]));
    out[i] = Math.round(x * 32767);
  }
  return out;
}

/** Runs `task(item, index)` over `items`, at most `limit` at a time. */
export async function mapLimited(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
