// Playing from the computer keyboard: two octaves on two rows (by physical
// key position, e.code, so the layout is the same on AZERTY or QWERTZ),
// ← / → shift the octave, and the space bar is the sustain pedal (CC64).

// Z S X D C V G B H N J M , : the lower octave; Q 2 W 3 E ... P: the upper.
const LOWER = ['KeyZ', 'KeyS', 'KeyX', 'KeyD', 'KeyC', 'KeyV', 'KeyG', 'KeyB', 'KeyH', 'KeyN', 'KeyJ', 'KeyM', 'Comma', 'KeyL', 'Period', 'Semicolon', 'Slash'];
const UPPER = ['KeyQ', 'Digit2', 'KeyW', 'Digit3', 'KeyE', 'KeyR', 'Digit5', 'KeyT', 'Digit6', 'KeyY', 'Digit7', 'KeyU', 'KeyI', 'Digit9', 'KeyO', 'Digit0', 'KeyP'];
const OFFSETS = new Map([...LOWER.map((code, i) => [code, i]), ...UPPER.map((code, i) => [code, 12 + i])]);

const BASE = 48; // C3 on the lower row at octave shift 0
export const MIN_SHIFT = -3;
export const MAX_SHIFT = 3;

/** True where typing belongs to the focused element, not to the instrument. */
function typingTarget(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && !['range', 'checkbox', 'radio', 'button', 'file'].includes(target.type);
}

/** True where space and arrows operate the focused control (buttons, sliders...). */
function controlTarget(target) {
  return typingTarget(target) || (target instanceof Element && !!target.closest('button, input, select, summary, a, [role="slider"]'));
}

/**
 * Listens on `window`. `play(note, on)` for notes, `sustain(down)` for the
 * pedal, `octaveChanged(shift)` when ← / → move the rows. `isActive()`
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
    if (e.code === 'Space' || e.code === 'ArrowLeft' || e.code === 'ArrowRight') {
      if (controlTarget(e.target)) return;
      e.preventDefault(); // no page scrolling
      if (e.repeat) return;
      if (e.code === 'Space') sustain((pedal = true));
      else {
        octave = Math.min(MAX_SHIFT, Math.max(MIN_SHIFT, octave + (e.code === 'ArrowLeft' ? -1 : 1)));
        octaveChanged(octave);
      }
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
    /** The notes the two rows play now: [lowest, highest]. */
    range: () => [BASE + 12 * octave, BASE + 12 * octave + UPPER.length + 11],
  };
}
