// The demo page: start audio, load the piano, play from MIDI, mouse or
// computer keys, and show what the engine is doing.

import { createSampler, isolationProblem } from '../web/index.js';
import { OnScreenKeyboard } from './keyboard.js';

const $ = (id) => document.getElementById(id);
const status = (text) => { $('status').textContent = text; };

const PIANO = '/instruments/salamander-grand.sfz';
const PIANO_CREDIT =
  'Piano: Salamander Grand Piano V3 by Alexander Holm, CC BY 3.0, from the npm packages @audio-samples/piano-mp3-velocity4/8/12/16 and -release.';
$('credit').textContent = PIANO_CREDIT;

const page = { context: null, sampler: null, analyser: null };
let resolveReady;
let rejectReady;
page.ready = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });
page.ready.catch(() => {}); // reported on the page; tests await it themselves
window.__samplerPage = page;

const keyboard = new OnScreenKeyboard($('keyboard'), 48, 84, {
  noteOn: (note, velocity) => page.sampler?.noteOn(note, velocity),
  noteOff: (note) => page.sampler?.noteOff(note),
});

const problem = isolationProblem();
if (problem) {
  $('isolation-warning').hidden = false;
  $('isolation-warning').textContent = problem;
  $('start').disabled = true;
  status('Cannot start: see the message above.');
}

$('start').addEventListener('click', start);

async function start() {
  $('start').disabled = true;
  try {
    status('Starting audio…');
    const context = new AudioContext({ latencyHint: 'interactive' });
    await context.resume();
    const sampler = await createSampler(context, { latencyMode: $('latency-mode').value });
    const analyser = new AnalyserNode(context, { fftSize: 32768 });
    sampler.node.connect(context.destination);
    sampler.node.connect(analyser);
    Object.assign(page, { context, sampler, analyser });
    sampler.onerror = (err) => status(`Audio engine error: ${err.message}`);
    // Playable fast: one velocity layer across all velocities first, then
    // the full piano (four layers, release samples) swapped in while playing.
    status('Loading piano…');
    const t0 = performance.now();
    const quick = await sampler.loadInstrument(PIANO, {
      regionFilter: (r, url) => (url.includes('velocity8') && r.trigger === 'Attack' ? { ...r, vel_lo: 1, vel_hi: 127 } : null),
      onProgress: ({ loaded, total }) => status(`Loading piano… ${loaded}/${total}`),
    });
    page.playableMs = Math.round(performance.now() - t0);
    status(`Playable after ${page.playableMs} ms; loading all velocity layers…`);
    $('start').textContent = 'Audio running';
    keyboard.enable();
    connectMidi();
    setInterval(showStats, 100);
    showLatency();
    resolveReady(page);
    const full = await sampler.loadInstrument(PIANO, {
      onProgress: ({ loaded, total }) => status(`Playable; loading all velocity layers… ${loaded}/${total}`),
    });
    page.fullMs = Math.round(performance.now() - t0);
    page.memory = { quick: quick.bytes, full: full.bytes };
    status(`Ready: piano with ${full.regions} regions in ${page.fullMs} ms (${(full.bytes / 1048576).toFixed(1)} MiB). Play!`);
    page.fullyLoaded = true;
  } catch (err) {
    status(`Could not start: ${err.message}`);
    $('start').disabled = false;
    rejectReady(err);
  }
}

async function connectMidi() {
  const select = $('midi-input');
  const light = $('midi-activity');
  let lightTimer = 0;
  try {
    const inputs = await page.sampler.connectMidiInput(localStorage.getItem('midi-input') || 'all', {
      onActivity: () => {
        light.classList.add('on');
        clearTimeout(lightTimer);
        lightTimer = setTimeout(() => light.classList.remove('on'), 80);
      },
      onMessage: (status, d1, d2) => keyboard.showMidi(status, d1, d2),
    });
    const fill = () => {
      const current = inputs.selection;
      select.replaceChildren(new Option('All inputs', 'all'), ...inputs.inputs().map((i) => new Option(i.name || i.id, i.id)));
      select.value = [...select.options].some((o) => o.value === current) ? current : 'all';
    };
    fill();
    inputs.access.addEventListener?.('statechange', fill);
    select.disabled = false;
    select.addEventListener('change', () => {
      inputs.select(select.value);
      localStorage.setItem('midi-input', select.value);
    });
  } catch (err) {
    $('midi-message').hidden = false;
    $('midi-message').textContent = err.message;
  }
}

$('latency-mode').addEventListener('change', () => {
  if (page.sampler) page.sampler.latencyMode = $('latency-mode').value;
  showLatency();
});

function showLatency() {
  if (!page.sampler) return;
  const mode = page.sampler.latencyMode === 'constant' ? 'constant' : 'lowest, varies by up to one quantum';
  $('latency').textContent = `latency: ${(page.sampler.latency * 1000).toFixed(1)} ms (${mode})`;
}

const levelBuffer = new Float32Array(2048);
function showStats() {
  const s = page.sampler.stats();
  $('stat-voices').textContent = s.activeVoices;
  $('stat-received').textContent = s.received;
  $('stat-late').textContent = s.late;
  $('stat-dropped').textContent = s.dropped + s.queueDropped;
  $('stat-fill').textContent = `${s.fill}/${s.capacity}`;
  page.analyser.getFloatTimeDomainData(levelBuffer);
  let sum = 0;
  for (const x of levelBuffer) sum += x * x;
  const db = 10 * Math.log10(sum / levelBuffer.length || 1e-12);
  $('stat-level').textContent = db < -90 ? 'silent' : `${db.toFixed(0)} dBFS`;
}

// Computer keyboard: two rows as piano keys from C4; Z/X shift octaves.
const KEYS = 'awsedftgyhujkolp;';
let octaveShift = 0;
const held = new Map();
window.addEventListener('keydown', (e) => {
  if (e.repeat || e.target instanceof HTMLSelectElement || !page.sampler) return;
  const k = e.key.toLowerCase();
  if (k === 'z') octaveShift = Math.max(-3, octaveShift - 1);
  else if (k === 'x') octaveShift = Math.min(3, octaveShift + 1);
  const i = KEYS.indexOf(k);
  if (i < 0 || held.has(k)) return;
  const note = 60 + i + 12 * octaveShift;
  held.set(k, note);
  page.sampler.noteOn(note, 96);
  keyboard.light(note, true);
});
window.addEventListener('keyup', (e) => {
  const k = e.key.toLowerCase();
  const note = held.get(k);
  if (note === undefined) return;
  held.delete(k);
  page.sampler?.noteOff(note);
  keyboard.light(note, false);
});
