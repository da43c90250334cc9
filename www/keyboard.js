// An on-screen piano keyboard: pointer (mouse and touch) playing with
// velocity from how low on the key you press, and lights for notes played
// from anywhere.

const BLACK = new Set([1, 3, 6, 8, 10]);

export class OnScreenKeyboard {
  constructor(element, lowNote, highNote, { noteOn, noteOff }) {
    this.element = element;
    this.keys = new Map();
    this.enabled = false;
    this.pointers = new Map(); // pointerId -> note
    const whites = [];
    for (let n = lowNote; n <= highNote; n++) if (!BLACK.has(n % 12)) whites.push(n);
    const w = 100 / whites.length;
    let x = 0;
    for (let n = lowNote; n <= highNote; n++) {
      const key = document.createElement('div');
      const black = BLACK.has(n % 12);
      key.className = `key ${black ? 'black' : 'white'}`;
      key.dataset.note = String(n);
      key.setAttribute('aria-label', `note ${n}`);
      if (black) {
        key.style.left = `${x - w * 0.3}%`;
        key.style.width = `${w * 0.6}%`;
      } else {
        key.style.left = `${x}%`;
        key.style.width = `${w}%`;
        x += w;
      }
      element.append(key);
      this.keys.set(n, key);
    }
    const press = (e) => {
      const key = e.target.closest('.key');
      if (!key || !this.enabled) return;
      e.preventDefault();
      const note = Number(key.dataset.note);
      const rect = key.getBoundingClientRect();
      const depth = Math.min(1, Math.max(0, (e.clientY - rect.top) / rect.height));
      this.pointers.set(e.pointerId, note);
      noteOn(note, Math.max(1, Math.round(30 + depth * 97)));
      this.light(note, true);
    };
    const release = (e) => {
      const note = this.pointers.get(e.pointerId);
      if (note === undefined) return;
      this.pointers.delete(e.pointerId);
      noteOff(note);
      this.light(note, false);
    };
    element.addEventListener('pointerdown', press);
    element.addEventListener('pointerup', release);
    element.addEventListener('pointercancel', release);
    element.addEventListener('pointerleave', release);
  }

  enable() {
    this.enabled = true;
  }

  light(note, on) {
    this.keys.get(note)?.classList.toggle('down', on);
  }

  /** Lights keys for MIDI note messages. */
  showMidi(status, d1, d2) {
    const type = status & 0xf0;
    if (type === 0x90 && d2 > 0) this.light(d1, true);
    else if (type === 0x80 || type === 0x90) this.light(d1, false);
  }
}
