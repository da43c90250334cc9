// The MIDI panel: which input to play from (remembered, following hot-plug),
// which channel to listen to, and an activity light per device.

import { saveSettings } from './persistence.js';

const $ = (id) => document.getElementById(id);
const LIGHT_MS = 90;

/**
 * Connects the sampler to Web MIDI. `saved` holds the remembered
 * `midiInput` (id or 'all'), `midiInputName` and `midiChannel` ('omni' or
 * '1'..'16'). `onMessage(status, d1, d2)` sees every message that passed the
 * channel filter; `onReset()` follows the all-notes-off a channel change
 * sends. Returns the tracker, or null when MIDI is unavailable
 * (the message on the page says why and what to do).
 */
export async function connectMidiPanel(sampler, saved, { onMessage, onReset, access }) {
  const select = $('midi-input');
  const channel = $('midi-channel');
  const list = $('midi-devices');
  const message = $('midi-message');
  const lights = new Map(); // input id -> { light, timer }
  const names = new Map([[saved.midiInput, saved.midiInputName]]); // id -> name, also of unplugged inputs

  channel.value = saved.midiChannel ?? 'omni';
  if (!channel.value) channel.value = 'omni';
  const channelFilter = (c) => channel.value === 'omni' || c === Number(channel.value) - 1;

  const flash = (input) => {
    const entry = lights.get(input.id);
    if (!entry) return;
    entry.light.classList.add('on');
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => entry.light.classList.remove('on'), LIGHT_MS);
  };

  // Without Web MIDI (or permission) this resolves, saying why; it rejects
  // only when the sampler cannot take MIDI at all (disposed).
  const tracker = await sampler.connectMidiInput(saved.midiInput || 'all', { onActivity: flash, onMessage, channelFilter, access })
    .catch((error) => ({ available: false, error }));
  if (!tracker.available) {
    message.hidden = false;
    message.textContent = tracker.error.message;
    select.title = 'Web MIDI is not available: see the message above.';
    list.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'No MIDI access.' }));
    return null;
  }
  message.hidden = true;

  const fill = () => {
    const inputs = tracker.inputs().filter((i) => i.state !== 'disconnected');
    for (const input of inputs) names.set(input.id, input.name || input.id);
    const chosen = tracker.selection ?? 'all';
    const options = [new Option('All inputs', 'all'), ...inputs.map((i) => new Option(i.name || i.id, i.id))];
    // A remembered device that is unplugged stays chosen: the tracker picks
    // it up again when it is plugged back in.
    if (chosen !== 'all' && !inputs.some((i) => i.id === chosen)) {
      options.push(new Option(`${names.get(chosen) || chosen} (not connected)`, chosen));
    }
    select.replaceChildren(...options);
    select.value = chosen;
    list.replaceChildren(
      ...inputs.map((input) => {
        const item = document.createElement('li');
        const light = Object.assign(document.createElement('span'), { className: 'light', title: `MIDI activity on ${input.name || input.id}` });
        light.setAttribute('role', 'img');
        light.setAttribute('aria-label', `activity light for ${input.name || input.id}`);
        light.dataset.input = input.id;
        lights.set(input.id, { light, timer: 0 });
        const listening = chosen === 'all' || chosen === input.id;
        item.append(light, ` ${input.name || input.id}${input.manufacturer ? ` (${input.manufacturer})` : ''}${listening ? '' : ' (not selected)'}`);
        return item;
      }),
    );
    if (inputs.length === 0) {
      list.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'No MIDI devices: plug one in, it appears here.' }));
    }
  };
  fill();
  // MidiInputs follows hot-plug for listening; this follows it for display.
  tracker.access.addEventListener?.('statechange', fill);
  select.disabled = false;
  select.title = '';
  channel.disabled = false;
  select.addEventListener('change', () => {
    tracker.select(select.value);
    saveSettings({ midiInput: select.value, midiInputName: names.get(select.value) ?? '' });
    fill();
  });
  channel.addEventListener('change', () => {
    // Notes held on a channel that is now filtered out would never get
    // their note-off.
    sampler.allNotesOff();
    onReset?.();
    saveSettings({ midiChannel: channel.value });
  });
  return tracker;
}
