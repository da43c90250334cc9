// Playing from the computer keyboard, laid out as in most DAWs: the A row
// plays the white keys and the W row above it the black keys (by physical
// key position, e.code, so the layout is the same on AZERTY or QWERTZ), Z
// and X move them an octave down and up, and the space bar is the sustain
// pedal (CC64).

// A W S E D F T G Y H U J K O L P ; ' : C4 up to F5 at octave shift 0.
const ROW = ['KeyA', 'KeyW', 'KeyS', 'KeyE', 'KeyD', 'KeyF', 'KeyT', 'KeyG', 'KeyY', 'KeyH', 'KeyU', 'KeyJ', 'KeyK', 'KeyO', 'KeyL', 'KeyP', 'Semicolon', 'Quote'];
const OFFSETS = new Map(ROW.map((code, i) => [code, i]));
const OCTAVE_KEYS = { KeyZ: -1, KeyX: 1 };

const BASE = 60; // middle C on the A key at octave shift 0
export const MIN_SHIFT = -4;
export const MAX_SHIFT = 3;

/**
 * True where typing belongs to the focused element: a text or number
 * field, a text area, editable content. Anywhere else (a dropdown, a
 * slider, a button) the keys play, so choosing a setting does not silence
 * them.
 */
function typingTarget(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && !['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'color'].includes(target.type);
}

/** True where Space is how the focused control is used: pressing a button, ticking a box, opening a link. */
function spaceActivates(target) {
  return target instanceof Element && !!target.closest('button, summary, a[href], input[type="checkbox"], input[type="radio"], input[type="button"], input[type="submit"], input[type="reset"], input[type="file"]');
}

/**
 * Listens on `window`. `play(note, on)` for notes, `sustain(down)` for the
 * pedal, `octaveChanged(shift)` when Z / X move the keys. `isActive()`
 * says whether audio is running.
 */
export function attachComputerKeys({ play, sustain, octaveChanged, isActive, shift = 0 }) {
  let octave = Math.min(MAX_SHIFT, Math.max(MIN_SHIFT, shift));
  let pedal = false;
  const held = new Map(); // e.code -> note it started (kept across octave shifts)

  const releaseAll = () => {
    for (const note of held.values()) play(note, false);
    held.clear();
    if (pedal) sustain((pedal = false));
  };

  window.addEventListener('keydown', (e) => {
    if (!isActive() || e.ctrlKey || e.metaKey || e.altKey || typingTarget(e.target)) return;
    if (e.code === 'Space') {
      if (spaceActivates(e.target)) return;
      e.preventDefault(); // no page scrolling
      if (!e.repeat) sustain((pedal = true));
      return;
    }
    if (e.code in OCTAVE_KEYS) {
      e.preventDefault();
      if (e.repeat) return;
      octave = Math.min(MAX_SHIFT, Math.max(MIN_SHIFT, octave + OCTAVE_KEYS[e.code]));
      octaveChanged(octave);
      return;
    }
    const offset = OFFSETS.get(e.code);
    if (offset === undefined) return;
    e.preventDefault(); // e.g. '/' opens quick find in Firefox
    if (e.repeat || held.has(e.code)) return;
    const note = BASE + offset + 12 * octave;
    if (note < 0 || note > 127) return;
    held.set(e.code, note);
    play(note, true);
  });

  window.addEventListener('keyup', (e) => {
    if (e.code === 'Space' && pedal) {
      sustain((pedal = false));
      return;
    }
    const note = held.get(e.code);
    if (note === undefined) return;
    held.delete(e.code);
    play(note, false);
  });

  // A key released while another window had focus never sends keyup.
  window.addEventListener('blur', releaseAll);
  return {
    get octave() { return octave; },
    /** The notes the keys play now: [lowest, highest]. */
    range: () => [BASE + 12 * octave, BASE + 12 * octave + ROW.length - 1],
  };
}
