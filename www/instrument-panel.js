// The instrument panel: the built-in piano, the user's own files (picker,
// folder picker, drag and drop), a progress bar, error messages that say
// what to do, and a program list for SoundFonts.

import { filesFromInput, filesFromDrop, describeEntries } from './dropped-files.js';
import { quickPianoFiles } from './quick-piano.js';
import * as store from './persistence.js';

const $ = (id) => document.getElementById(id);

export const PIANO = '/instruments/salamander-grand.sfz';
export const PIANO_NAME = 'Salamander Grand Piano (built in)';

const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** Sizes on the page, always in MiB (2^20 bytes). */
export const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** Progress text and fraction from whichever fields the loader reports. */
export function describeProgress(p) {
  const samples = p.totalSamples ?? p.total;
  const done = p.loadedSamples ?? p.loaded;
  const parts = [];
  if (p.phase) parts.push(p.phase);
  if (samples) parts.push(`${done ?? 0}/${samples} samples`);
  if (p.totalBytes) parts.push(`${mib(p.loadedBytes ?? 0)} of ${mib(p.totalBytes)}`);
  const fraction = p.totalBytes ? (p.loadedBytes ?? 0) / p.totalBytes : samples ? (done ?? 0) / samples : null;
  return { text: parts.join(', '), fraction };
}

export class InstrumentPanel {
  /**
   * `status(text)` reports on the page's status line; `onLoaded(result)`
   * follows every successful load (for lights and the page's test fields).
   */
  constructor({ status, onLoaded }) {
    this.sampler = null;
    this.status = status;
    this.onLoaded = onLoaded;
    this.queue = Promise.resolve();
    this.user = null; // { name, entries, preset }
    this.bindInputs();
  }

  bindInputs() {
    const select = $('instrument-select');
    select.addEventListener('change', () => {
      if (select.value === 'piano') this.enqueue(() => this.loadPiano());
      else if (this.user) this.enqueue(() => this.loadUser(this.user.entries, { preset: this.user.preset, name: this.user.name }));
    });
    for (const id of ['instrument-files', 'instrument-folder']) {
      const input = $(id);
      input.addEventListener('change', () => {
        const entries = filesFromInput(input.files);
        input.value = ''; // picking the same files again still fires change
        if (entries.length) this.pick(entries);
      });
    }
    $('preset-select').addEventListener('change', () => {
      const [bank, program] = $('preset-select').value.split(':').map(Number);
      if (this.user) this.enqueue(() => this.loadUser(this.user.entries, { preset: { bank, program }, name: this.user.name }));
    });
    // Drops anywhere on the page: a file dropped outside a drop zone would
    // otherwise make the browser navigate away to it.
    const zone = $('drop-zone');
    let depth = 0;
    window.addEventListener('dragenter', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      depth += 1;
      zone.classList.add('dragging');
    });
    window.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) zone.classList.remove('dragging');
    });
    window.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = this.sampler ? 'copy' : 'none';
    });
    window.addEventListener('drop', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      depth = 0;
      zone.classList.remove('dragging');
      const walking = filesFromDrop(e.dataTransfer); // before any await: items expire
      walking.then((entries) => this.pick(entries), (err) => this.showError(`Could not read the dropped files: ${err.message}`));
    });
  }

  /** Enables loading with `sampler` (after "Start audio"). */
  attach(sampler) {
    this.sampler = sampler;
    for (const id of ['instrument-select', 'instrument-files', 'instrument-folder']) $(id).disabled = false;
    $('drop-zone').classList.add('ready');
  }

  /** Disables loading again (a start that failed), with no progress left showing. */
  detach() {
    this.sampler = null;
    for (const id of ['instrument-select', 'instrument-files', 'instrument-folder']) $(id).disabled = true;
    $('drop-zone').classList.remove('ready');
    this.finished('');
  }

  /** Runs loads one after the other, so the last one picked is the one that stays. */
  enqueue(task) {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }

  pick(entries) {
    if (!this.sampler) {
      this.showError('Press “Start audio” first, then pick or drop the instrument again.');
      return;
    }
    this.enqueue(() => this.loadUser(entries, { save: true })).catch(() => {});
  }

  showError(message) {
    $('instrument-error').hidden = !message;
    $('instrument-error').textContent = message ?? '';
  }

  progress(p, prefix) {
    const { text, fraction } = describeProgress(p);
    const bar = $('load-progress');
    bar.hidden = false;
    if (fraction === null) bar.removeAttribute('value');
    else bar.value = fraction;
    $('load-text').textContent = `${prefix}${text ? `: ${text}` : ''}`;
  }

  finished(text) {
    $('load-progress').hidden = true;
    $('load-text').textContent = text;
  }

  /**
   * Fetches the piano's first step (one layer, the first seconds of each
   * sample, 1.4 MiB: see quick-piano.js). It needs no sampler, so the page
   * asks for it as it opens and "Start audio" finds it there. Resolves to
   * the files for loadPiano.
   */
  fetchQuickPiano() {
    const files = quickPianoFiles(PIANO);
    files.catch(() => {}); // reported by the loadPiano that awaits it
    return files;
  }

  /**
   * The built-in piano: its first step from `quickFiles` (fetchQuickPiano),
   * or, without them, all layers and releases.
   */
  async loadPiano(quickFiles = null) {
    const quick = quickFiles !== null;
    const label = quick ? 'Loading piano' : 'Loading all velocity layers';
    const { sampler } = this;
    // A failed load's other samples still report; a detached panel shows none.
    const show = (p) => this.sampler === sampler && this.progress(p, label);
    show({});
    // The first step as float32: no conversion to 16-bit on the way to playable.
    const result = await sampler.loadInstrument(quick ? await quickFiles : PIANO, { onProgress: show, sampleFormat: quick ? 'float32' : undefined });
    $('instrument-select').value = 'piano';
    this.showPresets(null);
    this.finished(`${PIANO_NAME}: ${result.regions} regions, ${mib(result.bytes)}${quick ? ' (one velocity layer, notes fading after 2 s, while the rest loads)' : ''}.`);
    this.onLoaded?.({ ...result, name: PIANO_NAME, builtIn: true, quick });
    return result;
  }

  /**
   * The user's files. `save` stores them for the next visit; `preset`
   * ({ bank, program }) picks a SoundFont program.
   */
  async loadUser(entries, { save = false, preset = null, name } = {}) {
    const what = describeEntries(entries);
    if (what.error) {
      this.showError(what.error);
      throw new Error(what.error);
    }
    const label = `Loading ${name ?? what.name}`;
    this.showError(null);
    this.progress({}, label);
    const source = entries.length === 1 ? entries[0].file : entries;
    let result;
    try {
      result = await this.sampler.loadInstrument(source, {
        ...(preset ?? {}),
        onProgress: (p) => this.progress(p, label),
      });
    } catch (err) {
      this.finished('');
      // The package's message starts with the file's name when it is about one file.
      const reason = err.message.startsWith(`${what.name}: `) ? err.message.slice(what.name.length + 2) : err.message;
      this.showError(`Could not load ${what.name}: ${reason.replace(/\.$/, '')}. ${hint(what.main, reason)}`.trim());
      throw err;
    }
    const loadedName = result.name ?? name ?? what.name;
    const chosen = result.preset ? { bank: result.preset.bank, program: result.preset.program } : preset;
    this.user = { name: loadedName, entries, preset: chosen };
    const option = $('instrument-user');
    option.hidden = false;
    option.textContent = `Your files: ${loadedName}`;
    $('instrument-select').value = 'user';
    this.showPresets(result);
    const warnings = result.warnings?.length ? ` ${count(result.warnings.length, 'warning')}: ${result.warnings.slice(0, 3).join('; ')}` : '';
    this.finished(`${loadedName}: ${count(result.regions, 'region')}, ${count(result.samples, 'sample')}, ${mib(result.bytes ?? 0)}.${warnings}`);
    $('load-text').title = result.warnings?.join('\n') ?? '';
    if (save) {
      await store.saveInstrument(loadedName, entries, chosen).catch((err) => {
        this.showError(`Loaded, but the browser did not let the page keep it for the next visit (${err.message}).`);
      });
    } else if (preset) {
      await store.savePreset(chosen).catch(() => {});
    }
    this.onLoaded?.({ ...result, name: loadedName, builtIn: false });
    return result;
  }

  /** A program list for a SoundFont's presets, hidden for anything else. */
  showPresets(result) {
    const select = $('preset-select');
    const presets = result?.presets ?? [];
    $('preset-row').hidden = presets.length < 2;
    select.replaceChildren(
      ...presets.map((p) => new Option(`${String(p.bank).padStart(3, '0')}:${String(p.program).padStart(3, '0')} ${p.name}`, `${p.bank}:${p.program}`)),
    );
    if (result?.preset) select.value = `${result.preset.bank}:${result.preset.program}`;
  }

  /** The instrument saved on an earlier visit, loaded; false when there is none. */
  async restore() {
    const saved = await store.loadInstrument();
    if (!saved?.entries?.length) return false;
    this.status(`Restoring your instrument ${saved.name}…`);
    try {
      await this.enqueue(() => this.loadUser(saved.entries, { preset: saved.preset, name: saved.name }));
      return true;
    } catch {
      return false; // the error is on the page; the piano stays
    }
  }
}

/** What to do about a failed load of the instrument file `main`, by its kind and what went wrong. */
function hint(main, reason) {
  if (/\.sfz$/i.test(main)) {
    if (/is missing from the files given/.test(reason)) return 'Pick the SFZ\'s whole folder (or drop it), so that its sample files come along.';
    if (/no <region> found/.test(reason)) return 'The file defines no sounds: it is empty, or only a part of an instrument that other .sfz files #include.';
    return '';
  }
  if (/\.sf[23]$/i.test(main)) return 'Check that the file is a complete SoundFont (SF2, or SF3 with Ogg Vorbis samples).';
  return 'Check that the file is a WAV, FLAC, Ogg or MP3 file this browser can decode, or pick another.';
}
