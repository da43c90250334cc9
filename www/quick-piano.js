// The default piano's first step, made to be playable within a second of
// "Start audio": the velocity-8 layer's 30 samples (one every minor third
// from A0 to C8, as in salamander-grand.sfz), each cut to its first
// PREFIX_BYTES, about 3 s of MP3. That is a quarter of the bytes to fetch
// and of the audio to decode. Each note fades out before its cut (an
// envelope that reaches silence at FADED_BY seconds), so nothing clicks;
// the whole piano replaces it a few seconds later.

/** Bytes of each sample's MP3 taken: at the layer's bitrates, 2.7 s or more. */
export const PREFIX_BYTES = 48 * 1024;
const HOLD_SECONDS = 1.2;
const DECAY_SECONDS = 1.0;
/** Seconds after a note-on by which the envelope is silent: less than the shortest cut sample. */
export const FADED_BY = HOLD_SECONDS + DECAY_SECONDS;

const LAYER = 'piano-mp3-velocity8';
const SHARP_NAMES = ['C', 'Cs', 'D', 'Ds', 'E', 'F', 'Fs', 'G', 'Gs', 'A', 'As', 'B'];
/** Root keys of the layer's samples: A0 (21) to C8 (108), a minor third apart. */
const ROOTS = Array.from({ length: 30 }, (_, i) => 21 + 3 * i);

/** A sample's file name as the page publishes it (vite.config.js: '#' written 's'). */
const fileName = (root) => `${SHARP_NAMES[root % 12]}${Math.floor(root / 12) - 1}v8.mp3`;

/** The URL of each of the layer's samples, with its root key, next to the piano's SFZ at `pianoUrl`. */
export function quickSamples(pianoUrl) {
  const base = new URL(pianoUrl, location.href);
  return ROOTS.map((root) => ({ root, name: fileName(root), url: new URL(`../samples/${LAYER}/${fileName(root)}`, base).href }));
}

/**
 * The first `count` bytes at `url`: a range request, and from a server that
 * ignores ranges (and sends the whole file), only what is needed is read.
 */
export async function firstBytes(url, count) {
  const response = await fetch(url, { headers: { Range: `bytes=0-${count - 1}` } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const out = new Uint8Array(count);
  let filled = 0;
  const reader = response.body.getReader();
  while (filled < count) {
    const { done, value } = await reader.read();
    if (done) break;
    const n = Math.min(value.length, count - filled);
    out.set(value.subarray(0, n), filled);
    filled += n;
  }
  reader.cancel().catch(() => {});
  return out.subarray(0, filled);
}

/**
 * The first step as files for `loadInstrument`: an SFZ of the layer's
 * regions (velocity 1..127, key ranges as in the full piano) and the cut
 * samples.
 */
export async function quickPianoFiles(pianoUrl) {
  const samples = quickSamples(pianoUrl);
  const files = await Promise.all(samples.map(async ({ name, url }) => {
    const bytes = await firstBytes(url, PREFIX_BYTES);
    return { file: new File([bytes], name, { type: 'audio/mpeg' }), path: name };
  }));
  const regions = samples.map(({ root, name }, i) => {
    const lo = i === 0 ? 0 : root - 1;
    const hi = i === samples.length - 1 ? 127 : root + 1;
    return `<region> sample=${name} pitch_keycenter=${root} lokey=${lo} hikey=${hi}`;
  });
  const sfz = [
    '// The first step of the default piano: see www/quick-piano.js.',
    `<global> amp_veltrack=30 ampeg_release=0.6 ampeg_hold=${HOLD_SECONDS} ampeg_decay=${DECAY_SECONDS} ampeg_sustain=0`,
    ...regions,
    '',
  ].join('\n');
  return [{ file: new File([sfz], 'quick-piano.sfz'), path: 'quick-piano.sfz' }, ...files];
}
