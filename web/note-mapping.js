// Instruments described without an SFZ or SoundFont: a set of audio files
// named by note (C4.wav, D#3v10.mp3, Piano_F#2_v3.flac, A-1.wav), or a JSON
// instrument. Pure functions (no browser API), tested with `node --test`.
// Both produce sample entries { path, root, keys, velocity, ... } that the
// loader turns into regions; every error names the file and the field.

/** Velocity markers up to this are layer numbers, above it velocities. */
export const MAX_LAYER_NUMBER = 16;

const PITCH_CLASS = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };
const ACCIDENTAL = { '': 0, '#': 1, '♯': 1, s: 1, b: -1, '♭': -1 };

/**
 * The MIDI number of a note name (C4 = 60, scientific pitch notation;
 * octaves -1..9, sharps '#'/'♯', flats 'b'/'♭'), or null when `text` is
 * not one or lies outside 0..127.
 */
export function noteNumber(text) {
  const m = /^([A-Ga-g])([#♯b♭]?)(-?\d{1,2})$/.exec(String(text).trim());
  if (!m) return null;
  const n = (Number(m[3]) + 1) * 12 + PITCH_CLASS[m[1].toLowerCase()] + ACCIDENTAL[m[2]];
  return n >= 0 && n <= 127 ? n : null;
}

/**
 * The note and optional velocity-layer marker in a file name: the note
 * name must stand alone (start of name or after a separator such as '_',
 * ' ', '-', '.', and end of name, a separator or 'v'); the marker is 'v'
 * (or 'vel', 'velocity', 'layer', 'l') with a number, right after the note
 * or as its own word. Returns { note, velocity } (velocity null when
 * absent) or null when the name has no note.
 */
export function noteFromFileName(fileName) {
  const base = String(fileName).replace(/^.*[/\\]/, '').replace(/\.[^.]*$/, '');
  // A note whose octave is -1 ("A-1") must not lose its '-' to the separator
  // rule, so the octave's sign is tried first.
  const re = /(?:^|[\s_.\-+()[\]])([A-Ga-g])([#♯b♭s]?)(-1|\d)(?=$|[\s_.\-+()[\]]|v|V)/g;
  let found = null;
  for (const m of base.matchAll(re)) {
    const accidental = m[2] === 's' ? '#' : m[2];
    const note = noteNumber(`${m[1]}${accidental}${m[3]}`);
    if (note !== null) {
      found = { note, end: m.index + m[0].length };
      // The last note-like word wins ("Piano_C_Major_A3" is A3).
    }
  }
  if (!found) return null;
  const rest = base.slice(found.end);
  const own = /^(?:v|vel|velocity)(\d{1,3})(?=$|[\s_.\-+()])/i.exec(rest);
  const word = /(?:^|[\s_.\-+()])(?:v|vel|velocity|layer|l)(\d{1,3})(?=$|[\s_.\-+()])/i.exec(own ? '' : base);
  const marker = own ?? word;
  return { note: found.note, velocity: marker ? Number(marker[1]) : null };
}

/**
 * Velocity ranges for one note's layers, given their markers in any order
 * (null for a file without one, as softest). Markers up to 16 are layer
 * numbers (v1..v16, as sample libraries number layers): 1..127 is split
 * evenly among the layers, lowest marker softest, whatever numbers are
 * skipped. Larger markers are the layers' top velocities: each layer
 * covers from the previous marker + 1 up to its own, and the loudest goes
 * on to 127. Returns [lo, hi] per marker, in the order given.
 */
export function velocityRanges(markers) {
  const n = markers.length;
  const order = markers.map((m, i) => [m ?? 0, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const values = order.map(([m]) => m);
  const asIndices = values[n - 1] <= MAX_LAYER_NUMBER;
  const out = new Array(n);
  order.forEach(([m, i], k) => {
    if (asIndices) {
      out[i] = [Math.floor((127 * k) / n) + 1, Math.floor((127 * (k + 1)) / n)];
    } else {
      const lo = k === 0 ? 1 : Math.min(127, values[k - 1] + 1);
      const hi = k === n - 1 ? 127 : Math.max(lo, Math.min(127, m));
      out[i] = [lo, hi];
    }
  });
  return out;
}

/**
 * Key ranges giving every key 0..127 to the nearest root (ties go to the
 * lower root). Returns [keyLo, keyHi] per root, in the order given.
 */
export function nearestRootRanges(roots) {
  const sorted = roots.map((r, i) => [r, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const ranges = new Array(roots.length);
  sorted.forEach(([root, index], k) => {
    const lo = k === 0 ? 0 : Math.floor((sorted[k - 1][0] + root) / 2) + 1;
    const hi = k === sorted.length - 1 ? 127 : Math.floor((root + sorted[k + 1][0]) / 2);
    ranges[index] = [Math.min(lo, 127), Math.min(hi, 127)];
  });
  return ranges;
}

/**
 * Maps a set of audio file paths by the note names in their names. Keys
 * spread to the nearest root; each root's velocity layers split 1..127
 * (see velocityRanges). Files without a note name are left out with a
 * warning; a lone file without one plays from `rootKey` across the
 * keyboard. Throws an Error naming the files when none can be mapped.
 * Returns [{ path, root, keys: [lo, hi], velocity: [lo, hi] }].
 */
export function mapByNoteNames(paths, { rootKey = 60, warnings = [] } = {}) {
  if (paths.length === 1 && !noteFromFileName(paths[0])) {
    return [{ path: paths[0], root: rootKey, keys: [0, 127], velocity: [1, 127] }];
  }
  const named = [];
  const seen = new Map();
  for (const path of paths) {
    const parsed = noteFromFileName(path);
    if (!parsed) {
      warnings.push(`${path}: no note name (like C4, D#3, Bb2) in the file name; left out`);
      continue;
    }
    const key = `${parsed.note}/${parsed.velocity}`;
    if (seen.has(key)) {
      warnings.push(`${path}: same note and velocity layer as ${seen.get(key)}; left out`);
      continue;
    }
    seen.set(key, path);
    named.push({ path, ...parsed });
  }
  if (named.length === 0) {
    const shown = paths.slice(0, 3).join(', ') + (paths.length > 3 ? ', ...' : '');
    throw new Error(`no note names (like C4.wav, D#3v10.mp3) in the file names ${shown}`);
  }
  const roots = [...new Set(named.map((e) => e.note))];
  const keyRanges = new Map(nearestRootRanges(roots).map((r, i) => [roots[i], r]));
  const out = [];
  for (const root of roots) {
    const layers = named.filter((e) => e.note === root);
    const vel = velocityRanges(layers.map((e) => e.velocity));
    layers.forEach((e, i) => out.push({ path: e.path, root, keys: keyRanges.get(root), velocity: vel[i] }));
  }
  return out;
}

// ---- JSON instruments ------------------------------------------------------

/**
 * The JSON instrument format (version 1). Only "samples" is required.
 *
 *   {
 *     "name": "Upright piano",          // shown to people; default: the file name
 *     "release": 0.8,                    // seconds of amplitude release for every sample
 *     "samples": [
 *       {
 *         "path": "samples/C4.wav",      // relative to the JSON file; required
 *         "root": "C4",                  // note name or MIDI number; default: from the file name
 *         "keys": ["A3", "D#4"],         // [lo, hi]; default: keys nearest this root
 *         "velocity": [1, 80],           // [lo, hi] in 1..127; default: from a v-marker, else all
 *         "tune": -12,                   // cents
 *         "volume": -3,                  // dB
 *         "pan": 0,                      // -1 (left) .. 1 (right)
 *         "loop": true,                  // true: the WAV's own loop; [start, end]: frames, end exclusive
 *         "trigger": "attack"            // or "release" (plays on note-off)
 *       }
 *     ]
 *   }
 */
const SAMPLE_FIELDS = new Set(['path', 'root', 'keys', 'velocity', 'tune', 'volume', 'pan', 'loop', 'trigger']);
const TOP_FIELDS = new Set(['name', 'release', 'samples', 'version']);

function fail(file, field, problem) {
  throw new Error(`${file}: ${field}: ${problem}`);
}

function noteValue(file, field, v) {
  if (Number.isInteger(v) && v >= 0 && v <= 127) return v;
  const n = typeof v === 'string' ? noteNumber(v) : null;
  if (n === null) fail(file, field, `${JSON.stringify(v)} is not a note name (like C4, F#3, Bb2) or a MIDI number 0..127`);
  return n;
}

function numberValue(file, field, v, lo, hi) {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) fail(file, field, `${JSON.stringify(v)} is not a number in ${lo}..${hi}`);
  return v;
}

function pair(file, field, v, item) {
  if (!Array.isArray(v) || v.length !== 2) fail(file, field, `${JSON.stringify(v)} is not a [low, high] pair`);
  const out = [item(`${field}[0]`, v[0]), item(`${field}[1]`, v[1])];
  if (out[0] > out[1]) fail(file, field, `low ${out[0]} is above high ${out[1]}`);
  return out;
}

/**
 * Validates a JSON instrument (text or parsed) from file `file`. Returns
 * { name, release, samples: [{ path, root, keys, velocity, tune, volume,
 * pan, loop, trigger }] } with keys filled in (nearest root among the
 * samples of the same trigger) and velocity from file-name markers where
 * not given. Unknown fields are warnings. Throws an Error naming the file
 * and the field.
 */
export function parseJsonInstrument(text, file, warnings = []) {
  let doc = text;
  if (typeof text === 'string') {
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file}: not valid JSON: ${err.message}`);
    }
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail(file, '(top level)', 'must be an object with a "samples" array');
  for (const k of Object.keys(doc)) if (!TOP_FIELDS.has(k)) warnings.push(`${file}: unknown field "${k}" ignored`);
  if (doc.name !== undefined && typeof doc.name !== 'string') fail(file, 'name', 'must be a string');
  const release = doc.release === undefined ? undefined : numberValue(file, 'release', doc.release, 0.001, 100);
  if (!Array.isArray(doc.samples) || doc.samples.length === 0) fail(file, 'samples', 'must be a non-empty array');
  const samples = doc.samples.map((s, i) => {
    const at = `samples[${i}]`;
    if (!s || typeof s !== 'object' || Array.isArray(s)) fail(file, at, 'must be an object with a "path"');
    for (const k of Object.keys(s)) if (!SAMPLE_FIELDS.has(k)) warnings.push(`${file}: ${at}: unknown field "${k}" ignored`);
    if (typeof s.path !== 'string' || s.path === '') fail(file, `${at}.path`, 'must be a non-empty string');
    const named = noteFromFileName(s.path);
    let root;
    if (s.root !== undefined) root = noteValue(file, `${at}.root`, s.root);
    else if (named) root = named.note;
    else fail(file, `${at}.root`, `missing, and the file name "${s.path}" has no note name`);
    const out = {
      path: s.path,
      root,
      keys: s.keys === undefined ? null : pair(file, `${at}.keys`, s.keys, (f, v) => noteValue(file, f, v)),
      velocity: s.velocity === undefined ? null : pair(file, `${at}.velocity`, s.velocity, (f, v) => numberValue(file, f, v, 1, 127) | 0),
      marker: named?.velocity ?? null,
      tune: s.tune === undefined ? 0 : numberValue(file, `${at}.tune`, s.tune, -9600, 9600),
      volume: s.volume === undefined ? 0 : numberValue(file, `${at}.volume`, s.volume, -144, 48),
      pan: s.pan === undefined ? 0 : numberValue(file, `${at}.pan`, s.pan, -1, 1),
      loop: null,
      trigger: s.trigger ?? 'attack',
    };
    if (s.loop === true) out.loop = 'file';
    else if (Array.isArray(s.loop)) out.loop = pair(file, `${at}.loop`, s.loop, (f, v) => numberValue(file, f, v, 0, 2 ** 32 - 1) | 0);
    else if (s.loop !== undefined && s.loop !== false) fail(file, `${at}.loop`, 'must be true, false or [start, end] in frames');
    if (Array.isArray(out.loop) && out.loop[0] === out.loop[1]) fail(file, `${at}.loop`, 'is empty (start = end)');
    if (out.trigger !== 'attack' && out.trigger !== 'release') fail(file, `${at}.trigger`, `${JSON.stringify(s.trigger)} is not "attack" or "release"`);
    return out;
  });
  // Defaults that depend on the other samples: keys nearest the root and
  // velocity layers from markers, among samples of the same trigger.
  for (const trigger of ['attack', 'release']) {
    const group = samples.filter((s) => s.trigger === trigger);
    const roots = [...new Set(group.map((s) => s.root))];
    const ranges = new Map(nearestRootRanges(roots).map((r, i) => [roots[i], r]));
    for (const root of roots) {
      const layers = group.filter((s) => s.root === root && !s.velocity);
      const vel = layers.some((s) => s.marker !== null) ? velocityRanges(layers.map((s) => s.marker)) : layers.map(() => [1, 127]);
      layers.forEach((s, i) => (s.velocity = vel[i]));
    }
    for (const s of group) s.keys ??= ranges.get(s.root);
  }
  return { name: doc.name, release, samples: samples.map(({ marker, ...s }) => s) };
}
