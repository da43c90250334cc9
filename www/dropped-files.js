// Files from a drop or a file input as `{ file, path }` entries, the form
// loadInstrument takes: an SFZ names its samples by relative path, so a
// dropped folder must keep its structure.

import { nameOfFileSet } from '../web/file-source.js';

/** Hidden files (.DS_Store, ._resource forks) are never part of an instrument. */
const hidden = (path) => path.split('/').some((part) => part.startsWith('.'));

const byPath = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Entries from an <input type=file> (multiple, or a webkitdirectory folder). */
export function filesFromInput(fileList) {
  return [...fileList]
    .map((file) => ({ file, path: file.webkitRelativePath || file.name }))
    .filter((e) => !hidden(e.path))
    .sort(byPath);
}

/**
 * Entries from a drop, walking dropped folders. The DataTransferItems are
 * only valid during the drop event, so call this synchronously from the
 * handler (it takes what it needs before its first await).
 */
export function filesFromDrop(dataTransfer) {
  const items = [...(dataTransfer.items ?? [])].filter((item) => item.kind === 'file');
  const roots = items.map((item) => item.webkitGetAsEntry?.() ?? null);
  if (roots.length === 0 || roots.some((root) => !root)) {
    // No entry API (or not for every item): the files without folders.
    return Promise.resolve(filesFromInput(dataTransfer.files));
  }
  return (async () => {
    const out = [];
    for (const root of roots) await walk(root, out);
    return out.filter((e) => !hidden(e.path)).sort(byPath);
  })();
}

async function walk(entry, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, path: entry.fullPath.replace(/^\//, '') });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    // readEntries returns the folder in batches (100 in Chromium) until empty.
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, out);
    }
  }
}

const INSTRUMENT = /\.(sfz|sf2|sf3|json)$/i;
const AUDIO = /\.(wav|wave|flac|ogg|oga|opus|mp3|m4a|aac|aif|aiff)$/i;

/**
 * A short description of what was picked, or an error message saying what
 * to pick instead when nothing in it can be an instrument.
 */
export function describeEntries(entries) {
  const main = entries.find((e) => INSTRUMENT.test(e.path)) ?? entries.find((e) => AUDIO.test(e.path));
  if (!main) {
    const names = entries.slice(0, 3).map((e) => e.path).join(', ') || 'nothing';
    return { error: `No instrument in ${names}${entries.length > 3 ? ', …' : ''}: pick an .sfz file together with its samples (or its whole folder), an .sf2/.sf3 SoundFont, a .json instrument, or audio files (.wav, .flac, .ogg, .mp3; named by note, like C4.wav, to map several).` };
  }
  const audio = entries.filter((e) => AUDIO.test(e.path)).map((e) => e.path);
  const name = INSTRUMENT.test(main.path) || audio.length === 1 ? main.path.split('/').pop() : nameOfFileSet(audio);
  return { name, main: main.path, single: entries.length === 1 };
}
