// The demo page: one "Start audio" gesture, then the piano loads in two
// steps while MIDI, the on-screen and computer keyboards, the meters and
// the settings come alive. Each panel lives in its own module; this file
// wires them together and explains on the page whatever stops something
// from working (no isolation, no MIDI, a suspended AudioContext).

import { createSampler, isolationProblem, Sampler } from '../web/index.js';
import { OnScreenKeyboard, noteName } from './keyboard.js';
import { attachComputerKeys } from './computer-keys.js';
import { connectMidiPanel } from './midi-panel.js';
import { InstrumentPanel, mib } from './instrument-panel.js';
import { startMeters } from './meters.js';
import { bindSettings } from './settings.js';
import { loadSettings, saveSettings, forgetSettings, forgetInstrument } from './persistence.js';
import { watchEngine } from './engine-status.js';

const $ = (id) => document.getElementById(id);
const status = (text) => { $('status').textContent = text; };
const notice = (id, text) => {
  $(id).hidden = !text;
  if (text) $(`${id}-text`).textContent = text;
};

$('credit').textContent =
  'Piano: Salamander Grand Piano V3 by Alexander Holm, CC BY 3.0, from the npm packages @audio-samples/piano-mp3-velocity4/8/12/16 and -release.';

// Fields the tests read: ready (resolves when playable), playableMs,
// fullyLoaded, fullMs, memory, engineLog (the engine's state changes), and
// the live objects. Tests may set window.__samplerTestOptions before the
// page loads (createSampler's test-only options).
const page = { context: null, sampler: null, analyser: null, meterAnalyser: null, instrument: null, engineLog: [] };
let resolveReady;
let rejectReady;
/** A new `page.ready`, for each press of "Start audio". */
const awaitReady = () => {
  page.ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });
  page.ready.catch(() => {}); // reported on the page; tests await it themselves
};
awaitReady();
window.__samplerPage = page;

const saved = loadSettings();

const keyboard = new OnScreenKeyboard($('keyboard'), 36, 96, {
  noteOn: (note, velocity) => page.sampler?.noteOn(note, velocity),
  noteOff: (note) => page.sampler?.noteOff(note),
});
page.keyboard = keyboard;

const settings = bindSettings(saved, (setter) => typeof Sampler.prototype[setter] === 'function');

const latencyMode = $('latency-mode');
latencyMode.value = saved.latencyMode === 'lowest' ? 'lowest' : 'constant';
let showLatency = () => {};
latencyMode.addEventListener('change', () => {
  if (page.sampler) page.sampler.latencyMode = latencyMode.value;
  saveSettings({ latencyMode: latencyMode.value });
  showLatency();
});

const showSustain = (down) => $('sustain').classList.toggle('on', down);
const showOctave = (shift) => {
  const [lo, hi] = computerKeys.range();
  $('octave').textContent = `${noteName(lo)}–${noteName(hi)}`;
  saveSettings({ octave: shift });
};
const computerKeys = attachComputerKeys({
  shift: Number.isInteger(saved.octave) ? saved.octave : 0,
  isActive: () => !!page.sampler,
  play: (note, on) => {
    if (on) page.sampler.noteOn(note, 96);
    else page.sampler.noteOff(note);
    keyboard.light(note, on, 'computer');
  },
  sustain: (down) => {
    page.sampler.controlChange(64, down ? 127 : 0);
    showSustain(down);
  },
  octaveChanged: (shift) => {
    showOctave(shift);
    keyboard.reveal(computerKeys.range()[0] + 12);
  },
});
showOctave(computerKeys.octave);

const instruments = new InstrumentPanel({
  status,
  onLoaded: (result) => {
    page.instrument = result;
    keyboard.clear();
    // The status line must not keep saying "piano" after the user's files won.
    if (!result.builtIn && page.fullyLoaded) status(`Ready: ${result.name}. Play!`);
  },
});

$('forget').addEventListener('click', async () => {
  forgetSettings();
  await forgetInstrument();
  $('forget-done').textContent = 'Forgotten: the next visit starts with the default settings and the piano.';
});

const problem = isolationProblem();
if (problem) {
  notice('isolation-warning', `${problem} Until then, “Start audio” starts the sampler with that postMessage fallback.`);
}

// The piano's first step is fetched now, so that "Start audio" has only
// to decode it: playable within a second of the press (BENCHMARKS.md).
let quickFiles = instruments.fetchQuickPiano();

$('start').addEventListener('click', start);
$('resume').addEventListener('click', () => page.context?.resume());

async function start(event) {
  const pressed = event?.timeStamp ?? performance.now(); // when the button was pressed (performance clock)
  $('start').disabled = true;
  if (page.ready.failed) awaitReady();
  let context;
  let playable = false;
  try {
    status('Starting audio…');
    context = new AudioContext({ latencyHint: 'interactive' });
    const starting = Promise.all([createSampler(context, { latencyMode: latencyMode.value, ...window.__samplerTestOptions }), context.resume()]);
    // Fetched as the page opened; fetched again if that failed.
    quickFiles = quickFiles?.catch(() => instruments.fetchQuickPiano()) ?? instruments.fetchQuickPiano();
    const [sampler] = await starting;
    if (sampler.transport === 'message') {
      notice('transport-warning', 'Without cross-origin isolation, events reach the engine by postMessage. They keep their sample frames and play exactly on them when they arrive in time; one that arrives late plays at the next 128-frame block (about 3 ms) and counts under “Late events”. With the COOP/COEP headers above, events reach the engine through shared memory, without waiting for a message.');
      // The Timing dropdown says what its modes do with this transport.
      $('latency-mode').options[0].textContent = 'Constant latency (exact unless late)';
    }
    // A 32768-frame analyser for the tests' pitch measurements; a short one
    // for the level meter, so that it shows the last ~43 ms, not 0.7 s.
    const analyser = new AnalyserNode(context, { fftSize: 32768 });
    const meterAnalyser = new AnalyserNode(context, { fftSize: 2048 });
    sampler.node.connect(context.destination);
    sampler.node.connect(analyser);
    sampler.node.connect(meterAnalyser);
    Object.assign(page, { context, sampler, analyser, meterAnalyser });
    // A failed engine restarts itself (engine-status.js says so); other
    // audio-thread errors are only reported.
    sampler.onerror = (err) => err.code !== 'worklet-failed' && status(`Audio engine error: ${err.message}.`);
    const engine = watchEngine(sampler, {
      status,
      onFailed: () => {
        keyboard.clear();
        showSustain(false);
      },
      // The sampler restored its settings; this adds any changed meanwhile.
      onRecovered: () => settings.apply(sampler),
      log: page.engineLog,
    });
    // A load the failure interrupted is tried again once the engine is back.
    const load = async (task) => {
      for (;;) {
        try {
          return await instruments.enqueue(task);
        } catch (err) {
          if (err.code !== 'worklet-failed' || !(await engine.untilRecovered())) throw err;
        }
      }
    };
    settings.apply(sampler);
    watchContextState(context);
    instruments.attach(sampler);

    status('Loading piano…');
    const t0 = performance.now();
    const quick = await load(() => instruments.loadPiano(quickFiles));
    page.playableMs = Math.round(performance.now() - t0);
    page.playableAfterPressMs = Math.round(performance.now() - pressed);
    status(`Playable ${page.playableAfterPressMs} ms after “Start audio”; loading all velocity layers…`);
    $('start').textContent = 'Audio running';
    keyboard.enable();
    keyboard.reveal(60);
    $('keyboard').focus({ preventScroll: true }); // so space and the letter keys play at once
    showLatency = startMeters(sampler, meterAnalyser);
    connectMidi(sampler);
    playable = true;
    resolveReady(page);

    if (await instruments.restore()) {
      status(`Ready: restored your instrument ${page.instrument.name}. Play!`);
      page.fullyLoaded = true;
      return;
    }
    const full = await load(() => instruments.loadPiano());
    page.fullMs = Math.round(performance.now() - t0);
    page.memory = { quick: quick.bytes, full: full.bytes };
    status(`Ready: piano with ${full.regions} regions in ${page.fullMs} ms (${mib(full.bytes)}). Play!`);
    page.fullyLoaded = true;
  } catch (err) {
    if (err.code === 'worklet-failed' && page.sampler) {
      // The engine stopped for good; engine-status.js explains and offers a restart.
    } else if (playable) {
      // The one-layer piano (or the restored instrument) plays on.
      instruments.finished('');
      status(`Playable, but the rest of the piano could not load: ${err.message.replace(/\.$/, '')}.`);
    } else {
      // Back to the page before "Start audio", saying why: no half-started
      // sampler, no progress bar left standing, no pickers that load into nothing.
      stopAudio(context);
      quickFiles = null; // what was fetched may be what failed: fetched again on the next press
      if (err.code === 'not-isolated') {
        status('Cannot start: this page is not cross-origin isolated (see the message above).');
      } else {
        const what = /^instrument/.test(err.code) ? 'load the piano' : 'start';
        status(`Could not ${what}: ${err.message.replace(/\.$/, '')}. Press “Start audio” to try again.`);
        $('start').disabled = false;
      }
    }
    page.ready.failed = true;
    rejectReady(err);
  }
}

/** Undoes a start that did not get as far as a playable piano. */
function stopAudio(context) {
  page.sampler?.dispose();
  context?.close().catch(() => {});
  Object.assign(page, { context: null, sampler: null, analyser: null, meterAnalyser: null });
  instruments.detach();
  notice('transport-warning', '');
}

function connectMidi(sampler) {
  connectMidiPanel(sampler, saved, {
    onMessage: (s, d1, d2) => {
      keyboard.showMidi(s, d1, d2);
      if ((s & 0xf0) === 0xb0 && d1 === 64) showSustain(d2 >= 64);
      if ((s & 0xf0) === 0xb0 && (d1 === 120 || d1 === 123)) keyboard.clear();
    },
    onReset: () => keyboard.clear(),
  });
}

/**
 * Browsers suspend an AudioContext on their own (a tab in the background
 * on mobile, a phone call, iOS "interrupted"): say so and offer to resume.
 */
function watchContextState(context) {
  const check = () => {
    const stopped = context.state !== 'running' && context.state !== 'closed';
    notice('suspended-warning', stopped ? `The browser ${context.state === 'interrupted' ? 'interrupted' : 'suspended'} audio, so nothing sounds. Press “Resume audio” (a click is needed to allow sound again).` : '');
  };
  context.addEventListener('statechange', check);
  check();
}
