// Where an instrument's files come from: a URL (the instrument file and the
// files it names, fetched relative to it) or a set of user files (a File, a
// FileList, an array of Files or of { file, path } from a dropped folder).
// Loaders see one interface, so SFZ, SoundFont, JSON and audio-set loading
// is the same code for both:
//
//   source.main            the instrument file's path ('' for a bare audio set)
//   source.resolve(path, fromDir, warnings)  -> a path the source has (or throws)
//   source.readText(path) / source.readBytes(path, onBytes(n))
//   source.size(path)      bytes, or null when unknown before reading
//   source.label(path)     how to name the file in messages
//
// Paths are '/'-separated and relative to the source's root (the URL's
// folder, or the top of the file set).

import { SamplerError } from './errors.js';

/** File name extensions of instrument descriptions, by kind. */
const MAIN_KINDS = { sfz: 'sfz', sf2: 'sf2', sf3: 'sf3', json: 'json' };
export const AUDIO_EXTENSIONS = ['wav', 'wave', 'mp3', 'ogg', 'oga', 'flac', 'm4a', 'aac', 'opus', 'webm', 'aif', 'aiff'];

export function extensionOf(path) {
  const m = /\.([^./\\]+)$/.exec(path);
  return m ? m[1].toLowerCase() : '';
}

/** The kind of an instrument file by its name: 'sfz', 'sf2', 'sf3', 'json', 'audio' or null. */
export function kindOf(path) {
  const ext = extensionOf(path);
  return MAIN_KINDS[ext] ?? (AUDIO_EXTENSIONS.includes(ext) ? 'audio' : null);
}

/** `path` with backslashes as slashes, '.' and '..' folded, no leading '/'. */
export function normalizePath(path) {
  const out = [];
  for (const part of String(path).replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

export function dirOf(path) {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

export function baseName(path) {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * A name for a set of audio files without an instrument file: the folder
 * they all lie in (a dropped or picked folder), else how many they are.
 * Never the first file's name, which would name the set after one note.
 */
export function nameOfFileSet(paths) {
  const top = paths[0]?.split('/')[0];
  if (paths.length && paths.every((p) => p.includes('/') && p.split('/')[0] === top)) return top;
  return `${paths.length} audio file${paths.length === 1 ? '' : 's'}`;
}

/**
 * [{ path, file }] for what the API accepts as user files: a File or Blob
 * (with a name), a FileList or an array of them, or array entries
 * `{ file, path }`. A File's path is its `webkitRelativePath` (set when a
 * folder was picked) or its name. Returns null when `source` is not files.
 */
export function fileEntries(source) {
  const isBlob = (x) => typeof Blob !== 'undefined' && x instanceof Blob;
  const one = (x, i) => {
    if (isBlob(x)) return { path: x.webkitRelativePath || x.name || `file ${i}`, file: x };
    if (x && isBlob(x.file)) return { path: x.path || x.file.webkitRelativePath || x.file.name || `file ${i}`, file: x.file };
    throw new SamplerError('instrument', `file list entry ${i} is neither a File nor { file, path }`);
  };
  if (isBlob(source)) return [one(source, 0)];
  const list = typeof FileList !== 'undefined' && source instanceof FileList ? Array.from(source) : source;
  if (!Array.isArray(list)) return null;
  if (list.length === 0) throw new SamplerError('instrument', 'loadInstrument was given an empty list of files');
  const entries = list.map(one).map((e) => ({ ...e, path: normalizePath(e.path) }));
  // A folder dropped whole arrives as "Folder/...": keep those paths, as
  // SFZ files name samples relative to themselves anyway.
  return entries;
}

/**
 * The instrument file of a set: the one .sfz, .sf2, .sf3 or .json not in
 * `included` (files another SFZ #includes; the shallowest when there are
 * several, then the first by name, with a warning), or null when the set
 * is only audio files.
 */
export function pickMainFile(paths, warnings = [], included = new Set()) {
  const mains = paths.filter((p) => ['sfz', 'sf2', 'sf3', 'json'].includes(kindOf(p)) && !included.has(p));
  if (mains.length === 0) return null;
  const depth = (p) => p.split('/').length;
  mains.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
  if (mains.length > 1) warnings.push(`${mains.length} instrument files given (${mains.join(', ')}); loading ${mains[0]}`);
  return mains[0];
}

/** A set of user files, looked up by path. */
export class FileSetSource {
  constructor(entries, main) {
    this.files = new Map(entries.map((e) => [e.path, e.file]));
    this.lower = new Map();
    this.byBase = new Map();
    for (const path of this.files.keys()) {
      if (!this.lower.has(path.toLowerCase())) this.lower.set(path.toLowerCase(), path);
      const base = baseName(path).toLowerCase();
      this.byBase.set(base, [...(this.byBase.get(base) ?? []), path]);
    }
    this.main = main ?? '';
    this.isUrl = false;
  }

  paths() {
    return [...this.files.keys()];
  }

  /**
   * The path of the file that `path` (relative to the folder of the file
   * `from`) names: exact, else a case-insensitive match, else the only
   * file with that base name anywhere in the set (both with a warning).
   * Throws an Error saying which file is missing; callers prefix the file
   * that named it.
   */
  resolve(path, from = '', warnings = []) {
    const wanted = normalizePath(dirOf(from) + String(path).replace(/\\/g, '/'));
    if (this.files.has(wanted)) return wanted;
    const caseless = this.lower.get(wanted.toLowerCase());
    if (caseless) {
      warnings.push(`${wanted}: matched ${caseless} ignoring case`);
      return caseless;
    }
    const sameBase = this.byBase.get(baseName(wanted).toLowerCase()) ?? [];
    if (sameBase.length === 1) {
      warnings.push(`${wanted}: not in the files given; using ${sameBase[0]}, the only file of that name`);
      return sameBase[0];
    }
    const why = sameBase.length > 1 ? `; ${sameBase.length} files have that name (${sameBase.join(', ')})` : '';
    throw new Error(`the file "${wanted}" is missing from the files given${why}`);
  }

  size(path) {
    return this.files.get(path)?.size ?? null;
  }

  label(path) {
    return path || 'the files given';
  }

  async readBytes(path, onBytes) {
    const file = this.files.get(path);
    if (!file) throw new SamplerError('instrument', `${path}: no such file in the files given`);
    try {
      const bytes = await file.arrayBuffer();
      onBytes?.(bytes.byteLength);
      return bytes;
    } catch (err) {
      throw new SamplerError('instrument', `${path}: could not be read: ${err.message}`, { cause: err });
    }
  }

  async readText(path, onBytes) {
    return new TextDecoder().decode(await this.readBytes(path, onBytes));
  }
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
 * Files on a server, relative to the instrument file's URL. Paths are
 * joined with the main file's folder the way SFZ names them; what a path
 * names is only known when it is fetched (no listing), so `resolve` only
 * normalises.
 */
export class UrlSource {
  constructor(url) {
    this.url = new URL(url, globalThis.location?.href);
    this.main = decodeURIComponent(this.url.pathname.split('/').pop());
    this.base = new URL('./', this.url);
    this.sizes = new Map();
    this.isUrl = true;
  }

  resolve(path, fromDir = '') {
    // Backslashes as separators, as in the file-set source (SFZ files made
    // on Windows use them); '..' stays for the URL to fold.
    return dirOf(fromDir) + String(path).replace(/\\/g, '/');
  }

  urlOf(path) {
    return path === this.main ? this.url : pathToUrl(path, this.base);
  }

  size(path) {
    return this.sizes.get(path) ?? null;
  }

  label(path) {
    return decodeURIComponent(this.urlOf(path).href);
  }

  /**
   * Fetches `path` and counts its body as it streams in (`onBytes(n)` per
   * chunk). Content-Length, when the body is not content-encoded, becomes
   * `size(path)` as soon as the headers arrive, and `onSize` is told.
   */
  async readBytes(path, onBytes, onSize) {
    let response;
    try {
      response = await fetch(this.urlOf(path));
    } catch (err) {
      throw new SamplerError('instrument', `${this.label(path)}: ${err.message}`, { cause: err });
    }
    if (!response.ok) throw new SamplerError('instrument', `${this.label(path)}: HTTP ${response.status}`);
    const length = Number(response.headers.get('content-length'));
    const encoded = response.headers.get('content-encoding');
    if (!encoded && Number.isFinite(length) && length > 0) {
      this.sizes.set(path, length);
      onSize?.(path, length);
    }
    if (!response.body || !onBytes) return response.arrayBuffer();
    const chunks = [];
    let total = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
      onBytes(value.byteLength);
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out.buffer;
  }

  async readText(path, onBytes, onSize) {
    return new TextDecoder().decode(await this.readBytes(path, onBytes, onSize));
  }
}

/**
 * The source for what loadInstrument was given. A file set's `main` is
 * chosen by `chooseMainFile`, which reads its SFZ files.
 */
export function openSource(source) {
  const entries = fileEntries(source);
  if (entries) return new FileSetSource(entries, null);
  if (typeof source === 'string' || source instanceof URL) return new UrlSource(source);
  throw new SamplerError('instrument', 'loadInstrument needs a URL, a File, a FileList or an array of Files');
}

/**
 * Sets a file set's instrument file (see pickMainFile): SFZ files that
 * another one #includes are not candidates, so a set holding "piano.sfz"
 * and the "layers.sfz" it includes loads the piano.
 */
export async function chooseMainFile(source, warnings) {
  const paths = source.paths();
  const sfz = paths.filter((p) => kindOf(p) === 'sfz');
  const included = new Set();
  if (sfz.length > 1) {
    for (const p of sfz) {
      const text = await source.readText(p);
      for (const m of text.matchAll(/#include\s+"([^"]+)"/g)) {
        try {
          included.add(source.resolve(m[1], p, []));
        } catch {
          // A missing include is reported when the instrument is parsed.
        }
      }
    }
  }
  source.main = pickMainFile(paths, warnings, included) ?? '';
}
