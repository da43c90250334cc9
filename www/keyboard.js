// An on-screen piano keyboard: pointer events (mouse, touch, pen) with
// velocity from how low on the key you press, sliding from key to key while
// pressed, and lights for notes played from anywhere (MIDI, computer keys).

const BLACK = new Set([1, 3, 6, 8, 10]);
const NAMES = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];

/** "C4" for 60 (middle C, the usual convention in DAWs and SFZ). */
export function noteName(note) {
  return `${NAMES[note % 12]}${Math.floor(note / 12) - 1}`;
}

/** Velocity 1..127 from how far down the key (0 = top edge, 1 = bottom) it was pressed. */
export function velocityFromDepth(depth) {
  const d = Math.min(1, Math.max(0, depth));
  return Math.max(1, Math.min(127, Math.round(20 + d * 107)));
}

export class OnScreenKeyboard {
  /**
   * Builds keys lowNote..highNote into `element`. `noteOn(note, velocity)`
   * and `noteOff(note)` are called for pointer playing.
   */
  constructor(element, lowNote, highNote, { noteOn, noteOff }) {
    this.element = element;
    this.keys = new Map();
    this.enabled = false;
    this.pointers = new Map(); // pointerId -> note it holds
    this.held = new Map(); // note -> Set of sources holding it lit
    this.noteOn = noteOn;
    this.noteOff = noteOff;
    const whites = [];
    for (let n = lowNote; n <= highNote; n++) if (!BLACK.has(n % 12)) whites.push(n);
    const w = 100 / whites.length;
    let x = 0;
    for (let n = lowNote; n <= highNote; n++) {
      const key = document.createElement('div');
      const black = BLACK.has(n % 12);
      key.className = `key ${black ? 'black' : 'white'}`;
      key.dataset.note = String(n);
      key.setAttribute('aria-label', noteName(n));
      key.title = noteName(n);
      if (black) {
        key.style.left = `${x - w * 0.3}%`;
        key.style.width = `${w * 0.6}%`;
      } else {
        key.style.left = `${x}%`;
        key.style.width = `${w}%`;
        x += w;
        if (n % 12 === 0) key.append(Object.assign(document.createElement('span'), { className: 'label', textContent: noteName(n) }));
      }
      element.append(key);
      this.keys.set(n, key);
    }
    element.addEventListener('pointerdown', (e) => this.press(e));
    element.addEventListener('pointermove', (e) => this.slide(e));
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      element.addEventListener(type, (e) => this.release(e.pointerId));
    }
    // A context menu from a long touch would steal the pointer.
    element.addEventListener('contextmenu', (e) => e.preventDefault());
  }

  enable() {
    this.enabled = true;
  }

  /** The key element under a point, or null. */
  keyAt(x, y) {
    const hit = document.elementFromPoint(x, y)?.closest?.('.key');
    return hit && this.element.contains(hit) ? hit : null;
  }

  press(e) {
    if (!this.enabled || (e.pointerType === 'mouse' && e.button !== 0)) return;
    const key = this.keyAt(e.clientX, e.clientY);
    if (!key) return;
    e.preventDefault();
    // Capture so that the release arrives even outside the keyboard; slide()
    // finds the key under the pointer itself.
    this.element.setPointerCapture?.(e.pointerId);
    this.start(e.pointerId, key, e.clientY);
  }

  start(pointerId, key, clientY) {
    const note = Number(key.dataset.note);
    const rect = key.getBoundingClientRect();
    this.pointers.set(pointerId, note);
    this.noteOn(note, velocityFromDepth((clientY - rect.top) / rect.height));
    this.light(note, true, `pointer${pointerId}`);
  }

  slide(e) {
    if (!this.pointers.has(e.pointerId)) return;
    const key = this.keyAt(e.clientX, e.clientY);
    if (!key || Number(key.dataset.note) === this.pointers.get(e.pointerId)) return;
    this.release(e.pointerId);
    this.start(e.pointerId, key, e.clientY);
  }

  release(pointerId) {
    const note = this.pointers.get(pointerId);
    if (note === undefined) return;
    this.pointers.delete(pointerId);
    this.noteOff(note);
    this.light(note, false, `pointer${pointerId}`);
  }

  /**
   * Lights (or unlights) a key for `source` (a pointer, a computer key,
   * MIDI): it stays lit while any source holds it, so releasing the mouse
   * does not darken a key still held on the MIDI keyboard.
   */
  light(note, on, source = 'other') {
    const sources = this.held.get(note) ?? new Set();
    if (on) sources.add(source);
    else sources.delete(source);
    if (sources.size) this.held.set(note, sources);
    else this.held.delete(note);
    this.keys.get(note)?.classList.toggle('down', sources.size > 0);
  }

  /** Unlights every key (after all-notes-off or an instrument change). */
  clear() {
    this.held.clear();
    for (const key of this.keys.values()) key.classList.remove('down');
  }

  /** Lights keys for MIDI note messages (`status` with its channel nibble). */
  showMidi(status, d1, d2) {
    const type = status & 0xf0;
    if (type === 0x90 && d2 > 0) this.light(d1, true, `midi${status & 0x0f}`);
    else if (type === 0x80 || type === 0x90) this.light(d1, false, `midi${status & 0x0f}`);
  }

  /** Scrolls the keyboard's scrolling parent so that `note` is in view. */
  reveal(note) {
    this.keys.get(note)?.scrollIntoView({ block: 'nearest', inline: 'center' });
  }
}
