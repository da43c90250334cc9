// The settings panel: each control is bound to a Sampler setter, saved on
// change and re-applied after a reload. A setter the engine does not have
// (yet) leaves its control disabled, with a title saying so, rather than
// pretending to work.

import { saveSettings } from './persistence.js';

const db = (gain) => (gain > 0 ? `${(20 * Math.log10(gain)).toFixed(1)} dB` : '−∞ dB');

/** Each setting: its control's id, setter name, default, how to read and show it. */
export const SETTINGS = [
  { key: 'volume', id: 'set-volume', setter: 'setMasterGain', value: 0.5, parse: Number, show: db },
  { key: 'polyphony', id: 'set-polyphony', setter: 'setPolyphony', value: 256, parse: Number },
  { key: 'interpolation', id: 'set-interpolation', setter: 'setInterpolation', value: 'hermite', parse: String },
  { key: 'velocityCurve', id: 'set-velocity-curve', setter: 'setVelocityCurve', value: 'linear', parse: String },
  { key: 'transpose', id: 'set-transpose', setter: 'setTranspose', value: 0, parse: Number, show: (v) => `${v > 0 ? '+' : ''}${v} st` },
  { key: 'bendRange', id: 'set-bend-range', setter: 'setPitchBendRange', value: 2, parse: Number, show: (v) => `±${v} st` },
];

/** `n` as the page writes limits: a real minus sign, a plus where the range has negatives. */
const signed = (n, range) => (n < 0 ? `−${-n}` : n > 0 && range[0] < 0 ? `+${n}` : String(n));

/**
 * Puts the nearest value a number input allows into it (rounded to its
 * step, within min..max) and returns what happened to what was typed, for
 * the page to say; a box without a number gets its `previous` value back.
 */
function fitNumber(control, previous) {
  const typed = control.value;
  const range = [Number(control.min), Number(control.max)];
  if (typed === '' || !Number.isFinite(Number(typed))) {
    control.value = String(previous);
    return 'not a number, kept';
  }
  const fitted = Math.min(range[1], Math.max(range[0], Math.round(Number(typed))));
  control.value = String(fitted);
  return fitted === Number(typed) ? '' : `${typed} is ${Number(typed) === Math.round(Number(typed)) ? 'outside' : 'not a whole number in'} ${signed(range[0], range)}…${signed(range[1], range)}`;
}

/**
 * Binds the controls to `saved` values. `hasSetter(name)` says whether the
 * engine offers a setter (checked on the Sampler prototype, before start).
 * Returns `{ apply(sampler), values }`: apply sends every setting that
 * differs from the engine's default (or all, when `all`).
 */
export function bindSettings(saved, hasSetter) {
  const values = {};
  let sampler = null;
  const send = (spec) => {
    if (sampler && typeof sampler[spec.setter] === 'function') {
      // Rejected only while the engine is failed; the page applies its
      // settings again once it has restarted.
      Promise.resolve(sampler[spec.setter](values[spec.key])).catch(() => {});
    }
  };
  for (const spec of SETTINGS) {
    const control = document.getElementById(spec.id);
    const output = document.querySelector(`output[for="${spec.id}"]`);
    // A saved value the control cannot hold (an option that is gone, a
    // number out of range) falls back to the default.
    control.value = String(saved[spec.key] ?? spec.value);
    const valid = control.value === String(saved[spec.key]) && control.checkValidity();
    values[spec.key] = valid ? spec.parse(control.value) : spec.value;
    control.value = String(values[spec.key]);
    const showValue = (note = '') => {
      if (output) output.value = `${spec.show ? spec.show(values[spec.key]) : String(values[spec.key])}${note && `: ${note}`}`;
    };
    showValue();
    if (!hasSetter(spec.setter)) {
      control.disabled = true;
      control.title = `Not available: this engine build has no ${spec.setter}().`;
      continue;
    }
    control.addEventListener(control.type === 'range' ? 'input' : 'change', () => {
      // A number the control cannot take becomes the nearest it can, and the
      // box always shows what plays.
      // (An empty number box is valid to the browser, and would read as 0.)
      const note = control.type === 'number' && (control.value === '' || !control.checkValidity()) ? fitNumber(control, values[spec.key]) : '';
      if (note && control.value === String(values[spec.key])) return showValue(note);
      values[spec.key] = spec.parse(control.value);
      showValue(note);
      saveSettings({ [spec.key]: values[spec.key] });
      send(spec);
    });
  }
  return {
    values,
    apply(target) {
      sampler = target;
      for (const spec of SETTINGS) if (values[spec.key] !== spec.value || spec.key === 'volume') send(spec);
    },
  };
}
