// Loading instruments on the main thread: parsing (a second instance of the
// engine's wasm module, used only for parsing), fetching and decoding. The
// worklet receives finished regions and sample data and only swaps them in.

import { initSync, parseSfz, SoundFontFile } from './generated/sampler_wasm.js';
import { SamplerError } from './errors.js';

let initialised = false;

/** Instantiates the parsing side of the engine once per page. */
export function initLoader(module) {
  if (!initialised) {
    initSync({ module });
    initialised = true;
  }
}

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response;
}

/**
 * A URL for a '/'-separated file path. Only what would change the URL's
 * meaning is escaped ('%', '#', '?', white space): sample names like
 * "D#4.wav" are common, and other characters must stay as they are (a dev
 * server's "/@fs/" prefix, for one).
 */
export function pathToUrl(path, base) {
  return new URL(path.replace(/[%#?\s]/g, (c) => encodeURIComponent(c)), base);
}

/**
 * Fetches and parses an SFZ file and every file it #includes. Returns the
 * parsed instrument ({ regions, samples, warnings, ... }) with `samples`
 * turned into absolute URLs.
 */
export async function fetchSfz(url) {
  const texts = new Map();
  const path = decodeURIComponent(url.pathname);
  try {
    texts.set(path, await (await fetchOk(url)).text());
  } catch (err) {
    throw new SamplerError('instrument', `${url}: ${err.message}`, { cause: err });
  }
  // #include is resolved synchronously by the parser, so fetch what it
  // asked for and parse again (bounded by the parser's include depth).
  for (let attempt = 0; attempt < 32; attempt++) {
    const missing = [];
    try {
      const parsed = parseSfz(path, texts.get(path), (p) => {
        if (texts.has(p)) return texts.get(p);
        missing.push(p);
        return undefined;
      });
      parsed.samples = parsed.samples.map((p) => pathToUrl(p, url).href);
      return parsed;
    } catch (err) {
      if (missing.length === 0) throw new SamplerError('instrument', err.message, { cause: err });
      for (const p of missing) {
        try {
          texts.set(p, await (await fetchOk(pathToUrl(p, url))).text());
        } catch (fetchErr) {
          throw new SamplerError('instrument', `${url}: #include "${p}": ${fetchErr.message}`, { cause: fetchErr });
        }
      }
    }
  }
  throw new SamplerError('instrument', `${url}: too many #include rounds`);
}

/**
 * Fetches and parses a SoundFont 2 file and builds one preset (by `bank`
 * and `program`, default the first preset). Returns { regions, samples,
 * warnings, presets, preset } with samples ready for the worklet.
 */
export async function fetchSoundFontPreset(url, { bank, program } = {}) {
  let font;
  try {
    const bytes = new Uint8Array(await (await fetchOk(url)).arrayBuffer());
    font = new SoundFontFile(decodeURIComponent(url.pathname.split('/').pop()), bytes);
  } catch (err) {
    throw new SamplerError('instrument', `${url}: ${err.message}`, { cause: err });
  }
  try {
    const presets = font.presets();
    const index = bank === undefined && program === undefined ? presets[0]?.index : font.findPreset(bank ?? 0, program ?? 0);
    if (index === undefined) throw new Error(`no preset at bank ${bank ?? 0} program ${program ?? 0}`);
    const built = font.instrument(index);
    return { ...built, presets, preset: presets.find((p) => p.index === index) };
  } catch (err) {
    throw new SamplerError('instrument', `${url}: ${err.message}`, { cause: err });
  } finally {
    font.free(); // the parsed file can be large (FluidR3_GM is 148 MB)
  }
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
 * Decodes audio at `url` (WAV, MP3, OGG, FLAC) and returns
 * { channels, sampleRate, loop, unityNote }. Files are decoded at their own
 * rate where their header says it (an OfflineAudioContext at that rate does
 * not resample): offsets and loop points in source frames stay exact, and
 * no memory is spent on upsampling. A WAV's `smpl` loop and root note come
 * along. Channels are
 * Int16Array when `int16` (half the memory; right for 16-bit and lossy
 * sources), else Float32Array.
 */
export async function decodeSample(context, url, int16) {
  const bytes = await (await fetchOk(url)).arrayBuffer();
  const wav = wavInfo(bytes);
  const rate = wav ? wav.sampleRate : compressedRate(bytes);
  const nativeRate = rate >= 3000 && rate <= 768000 ? rate : 0;
  const decoder = nativeRate && nativeRate !== context.sampleRate ? new OfflineAudioContext(1, 1, nativeRate) : context;
  const buffer = await decoder.decodeAudioData(bytes);
  return { ...bufferChannels(buffer, int16), loop: wav?.loop ?? null, unityNote: wav?.unityNote ?? null };
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
