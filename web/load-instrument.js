// Turning what loadInstrument was given (a URL or user files, see
// file-source.js) into finished samples and regions for the worklet, on the
// main thread: SFZ (with #includes and samples from the same source),
// SoundFont 2/3 (one preset; SF3's Ogg samples decoded by the browser), a
// JSON instrument, or audio files mapped by the note names in their names.

import { parseSfz, SoundFontFile } from './generated/sampler_wasm.js';
import { SamplerError, aboutFile } from './errors.js';
import { openSource, chooseMainFile, kindOf, baseName, nameOfFileSet } from './file-source.js';
import { decodeAudio, applySampleInfo, mapLimited } from './instrument-loader.js';
import { mapByNoteNames, parseJsonInstrument, noteFromFileName } from './note-mapping.js';

/** Files decoded at once: enough to overlap fetches, few enough to bound memory. */
const PARALLEL = 8;

/**
 * Progress in bytes read and samples decoded, reported to `onProgress` as
 * { phase, loadedBytes, totalBytes, loadedSamples, totalSamples, loaded,
 * total } (loaded/total: samples, as before bytes were counted).
 * totalBytes is null while the size of a file to read is unknown (a
 * response without Content-Length, or not yet answered).
 */
export class Progress {
  constructor(onProgress) {
    this.callback = onProgress;
    this.loadedBytes = 0;
    this.sizes = new Map();
    this.unknown = new Set();
    this.loadedSamples = 0;
    this.totalSamples = 0;
    this.lastReport = -Infinity;
    this.onBytes = (n) => {
      this.loadedBytes += n;
      this.report('fetch', true);
    };
    this.onSize = (path, n) => {
      this.sizes.set(path, n);
      this.unknown.delete(path);
    };
  }

  /** Files about to be read, for totalBytes. */
  expect(paths, source) {
    for (const p of paths) {
      const size = source.size(p);
      if (size === null) this.unknown.add(p);
      else this.sizes.set(p, size);
    }
  }

  get totalBytes() {
    if (this.unknown.size) return null;
    let sum = 0;
    for (const n of this.sizes.values()) sum += n;
    return sum;
  }

  samples(total) {
    this.totalSamples = total;
  }

  sampleDone(count = 1) {
    this.loadedSamples += count;
    this.report('decode');
  }

  /** Byte reports (one per network chunk) are sent at most every 50 ms. */
  report(phase, throttle = false) {
    if (!this.callback) return;
    const now = Date.now();
    if (throttle && now - this.lastReport < 50) return;
    this.lastReport = now;
    const { loadedBytes, totalBytes, loadedSamples, totalSamples } = this;
    this.callback({ phase, loadedBytes, totalBytes, loadedSamples, totalSamples, loaded: loadedSamples, total: totalSamples });
  }
}

const instrumentError = (where, err) =>
  err instanceof SamplerError ? err : new SamplerError('instrument', aboutFile(where, err.message), { cause: err });

/**
 * Reads and decodes an instrument. Returns { kind, name, samples, regions,
 * options, warnings, presets?, preset? } with `samples` ready to transfer.
 */
export async function readInstrument(context, input, opts, progress) {
  const warnings = [];
  const source = openSource(input);
  if (!source.isUrl) await chooseMainFile(source, warnings);
  const main = source.main;
  const audioOnly = main ? null : source.paths().filter((p) => kindOf(p) === 'audio');
  const kind = main ? kindOf(main) : audioOnly.length === 1 ? 'audio' : 'files';
  if (main && kind === null) {
    throw new SamplerError('instrument', `${source.label(main)}: not an instrument or audio file (expected .sfz, .sf2, .sf3, .json or audio)`);
  }
  const name = kind === 'files' ? nameOfFileSet(audioOnly) : baseName(main || audioOnly[0]).replace(/\.[^.]*$/, '');
  const ctx = { context, source, opts, progress, warnings };
  if (kind === 'sf2' || kind === 'sf3') {
    const { sf2Warnings, compressed, ...font } = await readSoundFont(ctx, main);
    return { kind: compressed ? 'sf3' : kind, name, ...font, warnings: [...warnings, ...sf2Warnings] };
  }
  let built;
  if (kind === 'sfz') built = await readSfzInstrument(ctx, main);
  else if (kind === 'json') built = await readJsonInstrument(ctx, main);
  else built = await readAudioSet(ctx, main ? [main] : source.paths());
  return { kind, name, ...built, warnings: [...warnings, ...(built.warnings ?? [])] };
}

/** Decodes the files at `paths` (source paths) at most PARALLEL at a time. */
async function decodeFiles({ context, source, opts, progress }, paths) {
  progress.expect(paths, source);
  progress.samples(paths.length);
  return mapLimited(paths, PARALLEL, async (path) => {
    try {
      const bytes = await source.readBytes(path, progress.onBytes, progress.onSize);
      const sample = await decodeAudio(context, bytes, opts.sampleFormat !== 'float32');
      progress.sampleDone();
      return sample;
    } catch (err) {
      throw instrumentError(source.label(path), err);
    }
  });
}

/**
 * Keeps the regions `regionFilter(region, where)` accepts (all without a
 * filter) and only the samples they use. `where(sampleIndex)` names a
 * sample as the filter sees it. Returns { regions, used (sample indices),
 * keptIndices (region indices) }.
 */
function filterRegions(regions, filter, where) {
  const used = new Map();
  const kept = [];
  const keptIndices = [];
  regions.forEach((region, i) => {
    const r = filter ? filter({ ...region }, where(region.sample)) : region;
    if (!r) return;
    if (!used.has(region.sample)) used.set(region.sample, used.size);
    kept.push({ ...r, sample: used.get(region.sample) });
    keptIndices.push(i);
  });
  return { regions: kept, used: [...used.keys()], keptIndices };
}

// ---- SFZ ------------------------------------------------------------------

/** Reads an SFZ file and every file it #includes, and parses it. */
async function readSfz({ source, progress, warnings }, main) {
  const texts = new Map();
  progress.expect([main], source);
  try {
    texts.set(main, await source.readText(main, progress.onBytes, progress.onSize));
  } catch (err) {
    throw instrumentError(source.label(main), err);
  }
  // #include is resolved synchronously by the parser, so read what it
  // asked for and parse again (bounded by the parser's include depth).
  for (let round = 0; round < 32; round++) {
    const missing = [];
    try {
      return parseSfz(main, texts.get(main), (p) => {
        if (texts.has(p)) return texts.get(p);
        missing.push(p);
        return undefined;
      });
    } catch (err) {
      if (missing.length === 0) throw new SamplerError('instrument', err.message, { cause: err });
      for (const p of missing) {
        try {
          const found = source.resolve(p, '', warnings);
          progress.expect([found], source);
          texts.set(p, await source.readText(found, progress.onBytes, progress.onSize));
        } catch (readErr) {
          throw new SamplerError('instrument', `${source.label(main)}: #include "${p}": ${readErr.message}`, { cause: readErr });
        }
      }
    }
  }
  throw new SamplerError('instrument', `${source.label(main)}: too many #include rounds`);
}

async function readSfzInstrument(ctx, main) {
  const { source, opts, warnings } = ctx;
  const sfz = await readSfz(ctx, main);
  // The parser names samples relative to the source's root; a file set
  // may still hold them under another case or folder.
  let paths;
  try {
    paths = sfz.samples.map((p) => source.resolve(p, '', warnings));
  } catch (err) {
    throw instrumentError(source.label(main), err);
  }
  const where = (i) => (source.isUrl ? source.urlOf(paths[i]).href : paths[i]);
  const { regions, used, keptIndices } = filterRegions(sfz.regions, opts.regionFilter, where);
  if (regions.length === 0) throw new SamplerError('instrument', `${source.label(main)}: no regions to load`);
  const files = used.map((i) => paths[i]);
  const samples = await decodeFiles(ctx, files);
  const sfzWarnings = [...sfz.warnings];
  applySampleInfo(regions, keptIndices.map((i) => sfz.from_sample[i]), samples, files.map((p) => source.label(p)), sfzWarnings);
  const options = {
    polyphony: sfz.polyphony,
    note_polyphony: sfz.note_polyphony,
    keyswitch_range: sfz.keyswitch_range,
    keyswitch_default: sfz.keyswitch_default,
  };
  return { samples, regions, options, warnings: sfzWarnings };
}

// ---- JSON and note-named audio files --------------------------------------

/**
 * Regions for sample entries from the JSON format or note names
 * ({ path, root, keys, velocity, tune?, volume?, pan?, loop?, trigger? }),
 * one sample per distinct path. A loop of 'file' (and, for plain audio
 * files, any loop the WAV has) is taken from the file once decoded.
 */
async function buildFromEntries(ctx, entries, { loopFromFile, release }) {
  const { source, opts, warnings } = ctx;
  const pathIndex = new Map();
  const allRegions = entries.map((e) => {
    if (!pathIndex.has(e.path)) pathIndex.set(e.path, pathIndex.size);
    const r = {
      sample: pathIndex.get(e.path),
      root_key: e.root,
      key_lo: e.keys[0],
      key_hi: e.keys[1],
      vel_lo: e.velocity[0],
      vel_hi: e.velocity[1],
      tune_cents: e.tune ?? 0,
      volume_db: e.volume ?? 0,
      pan: e.pan ?? 0,
      trigger: e.trigger === 'release' ? 'Release' : 'Attack',
    };
    if (Array.isArray(e.loop)) Object.assign(r, { loop_mode: 'Continuous', loop_start: e.loop[0], loop_end: e.loop[1] });
    if (e.loop === 'file') Object.assign(r, { loop_mode: 'Continuous', loop_end: 0 });
    return r;
  });
  const paths = [...pathIndex.keys()];
  const { regions, used, keptIndices } = filterRegions(allRegions, opts.regionFilter, (i) =>
    source.isUrl ? source.urlOf(paths[i]).href : paths[i],
  );
  if (regions.length === 0) throw new SamplerError('instrument', `${source.label(source.main)}: no regions to load`);
  const files = used.map((i) => paths[i]);
  const samples = await decodeFiles(ctx, files);
  const fromSample = keptIndices.map((i) => ({
    loop_mode: loopFromFile && !entries[i].loop,
    loop_points: entries[i].loop === 'file' || (loopFromFile && !entries[i].loop),
  }));
  applySampleInfo(regions, fromSample, samples, files.map((p) => source.label(p)), warnings);
  for (const [i, r] of regions.entries()) {
    const frames = samples[r.sample].channels[0].length;
    if (r.loop_mode === 'Continuous' && r.loop_end > frames) {
      warnings.push(`${source.label(files[r.sample])}: loop end ${r.loop_end} is past the sample's ${frames} frames; playing it unlooped`);
      regions[i] = { ...r, loop_mode: 'NoLoop' };
    }
  }
  return { samples, regions, options: { release_seconds: release } };
}

async function readJsonInstrument(ctx, main) {
  const { source, progress, warnings } = ctx;
  progress.expect([main], source);
  let doc;
  try {
    doc = parseJsonInstrument(await source.readText(main, progress.onBytes, progress.onSize), source.label(main), warnings);
  } catch (err) {
    throw instrumentError(source.label(main), err);
  }
  const entries = doc.samples.map((s, i) => {
    try {
      return { ...s, path: source.resolve(s.path, main, warnings) };
    } catch (err) {
      throw instrumentError(`${source.label(main)}: samples[${i}].path`, err);
    }
  });
  const built = await buildFromEntries(ctx, entries, { loopFromFile: false, release: doc.release });
  return { ...built, name: doc.name ?? baseName(main).replace(/\.[^.]*$/, '') };
}

async function readAudioSet(ctx, paths) {
  const { source, opts, warnings } = ctx;
  const audio = paths.filter((p) => kindOf(p) === 'audio');
  for (const p of paths) if (kindOf(p) !== 'audio') warnings.push(`${p}: not an audio file; left out`);
  if (audio.length === 0) throw new SamplerError('instrument', `none of the files given (${paths.slice(0, 3).join(', ')}) is an instrument or audio file`);
  let entries;
  try {
    const rootKey = opts.rootKey ?? (audio.length === 1 ? noteFromFileName(audio[0])?.note : undefined) ?? 60;
    entries = mapByNoteNames(audio, { rootKey, warnings });
  } catch (err) {
    throw instrumentError('loadInstrument', err);
  }
  return buildFromEntries(ctx, entries, { loopFromFile: true, release: opts.releaseSeconds });
}

// ---- SoundFont 2 and 3 -----------------------------------------------------

async function readSoundFont(ctx, main) {
  const { context, source, opts, progress } = ctx;
  const { bank, program } = opts;
  progress.expect([main], source);
  let font;
  try {
    const bytes = new Uint8Array(await source.readBytes(main, progress.onBytes, progress.onSize));
    // Named as every other message names it: the parser's messages start with it.
    font = new SoundFontFile(source.label(main), bytes);
  } catch (err) {
    throw instrumentError(source.label(main), err);
  }
  try {
    const presets = font.presets();
    const index = bank === undefined && program === undefined ? presets[0]?.index : font.findPreset(bank ?? 0, program ?? 0);
    if (index === undefined) throw new Error(`no preset at bank ${bank ?? 0} program ${program ?? 0}`);
    // SF3: the preset's Ogg Vorbis samples are decoded by the browser
    // first; the parser then cuts regions' sample ranges from them.
    const compressed = font.compressedSamples(index);
    progress.samples(compressed.length);
    const decoded = new Map();
    await mapLimited(compressed, PARALLEL, async ({ id, name, bytes }) => {
      try {
        decoded.set(id, await decodeAudio(context, bytes.buffer, opts.sampleFormat !== 'float32'));
      } catch (err) {
        throw new Error(`Ogg Vorbis sample '${name}': ${err.message}`, { cause: err });
      }
      progress.sampleDone();
    });
    const frames = {};
    for (const [id, d] of decoded) frames[id] = d.channels[0].length;
    const built = font.instrument(index, frames);
    const samples = built.samples.map((s) => {
      if (s.compressed === undefined) return s;
      const d = decoded.get(s.compressed);
      // A copy per region sample: each is transferred to the worklet on its own.
      return { channels: d.channels.slice(0, 1).map((c) => c.slice(s.start, s.end)), sampleRate: d.sampleRate };
    });
    if (compressed.length === 0) {
      progress.samples(samples.length);
      progress.sampleDone(samples.length);
    }
    return {
      samples,
      regions: built.regions,
      options: {},
      name: font.title() || baseName(main).replace(/\.[^.]*$/, ''),
      presets,
      preset: presets.find((p) => p.index === index),
      sf2Warnings: built.warnings,
      compressed: compressed.length > 0,
    };
  } catch (err) {
    throw instrumentError(source.label(main), err);
  } finally {
    font.free(); // the parsed file can be large (FluidR3_GM is 148 MB)
  }
}
