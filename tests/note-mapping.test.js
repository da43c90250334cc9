// Note names in file names, velocity layers and the JSON instrument format
// (web/note-mapping.js: pure functions, no browser needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noteNumber, noteFromFileName, velocityRanges, mapByNoteNames, parseJsonInstrument } from '../web/note-mapping.js';

test('note names: C4 is 60, sharps, flats, octave -1, out of range', () => {
  assert.equal(noteNumber('C4'), 60);
  assert.equal(noteNumber('A4'), 69);
  assert.equal(noteNumber('c#4'), 61);
  assert.equal(noteNumber('Bb2'), 46);
  assert.equal(noteNumber('A-1'), 9);
  assert.equal(noteNumber('C-1'), 0);
  assert.equal(noteNumber('G9'), 127);
  assert.equal(noteNumber('G#9'), null);
  assert.equal(noteNumber('H4'), null);
  assert.equal(noteNumber('C'), null);
});

test('file names: note and velocity marker, wherever they stand', () => {
  assert.deepEqual(noteFromFileName('C4.wav'), { note: 60, velocity: null });
  assert.deepEqual(noteFromFileName('D#3v10.mp3'), { note: 51, velocity: 10 });
  assert.deepEqual(noteFromFileName('Piano_F#2_v3.flac'), { note: 42, velocity: 3 });
  assert.deepEqual(noteFromFileName('A-1.wav'), { note: 9, velocity: null });
  assert.deepEqual(noteFromFileName('samples/Grand Piano - Bb5 vel100.ogg'), { note: 82, velocity: 100 });
  assert.deepEqual(noteFromFileName('Cs4.wav'), { note: 61, velocity: null });
  assert.deepEqual(noteFromFileName('Strings_C_Major_A3.wav'), { note: 57, velocity: null }, 'the last note-like word');
  assert.equal(noteFromFileName('kick.wav'), null);
  assert.equal(noteFromFileName('Take2.wav'), null);
  assert.equal(noteFromFileName('Piano.wav'), null);
});

test('velocity layers: numbers up to 16 split evenly, larger ones are top velocities', () => {
  assert.deepEqual(velocityRanges([null]), [[1, 127]]);
  assert.deepEqual(velocityRanges([2, 1]), [[64, 127], [1, 63]]);
  assert.deepEqual(velocityRanges([1, 3, 5, 7]), [[1, 31], [32, 63], [64, 95], [96, 127]], 'skipped numbers do not leave gaps');
  assert.deepEqual(velocityRanges([40, 127, 90]), [[1, 40], [91, 127], [41, 90]]);
  assert.deepEqual(velocityRanges([40, 100]), [[1, 40], [41, 127]], 'the loudest reaches 127');
});

test('a note-named set: nearest-root keys and per-note layers', () => {
  const warnings = [];
  const map = mapByNoteNames(['C4v1.wav', 'C4v2.wav', 'E4.wav', 'readme.wav'], { warnings });
  const by = Object.fromEntries(map.map((e) => [e.path, e]));
  assert.deepEqual(by['C4v1.wav'], { path: 'C4v1.wav', root: 60, keys: [0, 62], velocity: [1, 63] });
  assert.deepEqual(by['C4v2.wav'].velocity, [64, 127]);
  assert.deepEqual(by['E4.wav'], { path: 'E4.wav', root: 64, keys: [63, 127], velocity: [1, 127] });
  assert.equal(map.length, 3);
  assert.match(warnings[0], /readme\.wav: no note name/);
  // A single file without a name plays from rootKey everywhere.
  assert.deepEqual(mapByNoteNames(['loop.wav'], { rootKey: 57 }), [{ path: 'loop.wav', root: 57, keys: [0, 127], velocity: [1, 127] }]);
  assert.throws(() => mapByNoteNames(['kick.wav', 'snare.wav']), /no note names .* kick\.wav, snare\.wav/);
  const dup = [];
  assert.equal(mapByNoteNames(['a/C4.wav', 'b/C4.wav'], { warnings: dup }).length, 1);
  assert.match(dup[0], /b\/C4\.wav: same note and velocity layer as a\/C4\.wav/);
});

test('JSON instrument: defaults, note names, markers, release samples', () => {
  const warnings = [];
  const inst = parseJsonInstrument(
    JSON.stringify({
      name: 'Test',
      release: 0.5,
      extra: 1,
      samples: [
        { path: 'C4v1.wav' },
        { path: 'C4v2.wav' },
        { path: 'low.wav', root: 'G2', tune: -10, volume: -6, pan: -0.5, loop: [100, 2000] },
        { path: 'rel.wav', root: 60, keys: ['C2', 'C6'], trigger: 'release', loop: true },
      ],
    }),
    'inst.json',
    warnings,
  );
  assert.equal(inst.name, 'Test');
  assert.equal(inst.release, 0.5);
  assert.deepEqual(warnings, ['inst.json: unknown field "extra" ignored']);
  const [a, b, low, rel] = inst.samples;
  assert.deepEqual([a.root, a.keys, a.velocity], [60, [52, 127], [1, 63]]);
  assert.deepEqual(b.velocity, [64, 127]);
  assert.deepEqual([low.root, low.keys, low.tune, low.volume, low.pan, low.loop], [43, [0, 51], -10, -6, -0.5, [100, 2000]]);
  assert.deepEqual([rel.keys, rel.trigger, rel.loop, rel.velocity], [[36, 84], 'release', 'file', [1, 127]]);
});

test('JSON instrument: errors name the file and the field', () => {
  const bad = (doc, pattern) => assert.throws(() => parseJsonInstrument(typeof doc === 'string' ? doc : JSON.stringify(doc), 'x.json'), pattern);
  bad('{ "samples": [', /^Error: x\.json: not valid JSON/);
  bad([], /x\.json: \(top level\): must be an object/);
  bad({ samples: [] }, /x\.json: samples: must be a non-empty array/);
  bad({ samples: [{ root: 60 }] }, /x\.json: samples\[0\]\.path: must be a non-empty string/);
  bad({ samples: [{ path: 'a.wav' }] }, /x\.json: samples\[0\]\.root: missing, and the file name "a\.wav" has no note name/);
  bad({ samples: [{ path: 'a.wav', root: 'H2' }] }, /samples\[0\]\.root: "H2" is not a note name/);
  bad({ samples: [{ path: 'a.wav', root: 128 }] }, /samples\[0\]\.root: 128 is not a note name/);
  bad({ samples: [{ path: 'C4.wav', keys: [70, 60] }] }, /samples\[0\]\.keys: low 70 is above high 60/);
  bad({ samples: [{ path: 'C4.wav', velocity: [0, 60] }] }, /samples\[0\]\.velocity\[0\]: 0 is not a number in 1\.\.127/);
  bad({ samples: [{ path: 'C4.wav', tune: 'sharp' }] }, /samples\[0\]\.tune: "sharp" is not a number/);
  bad({ samples: [{ path: 'C4.wav', loop: 'yes' }] }, /samples\[0\]\.loop: must be true, false or \[start, end\]/);
  bad({ samples: [{ path: 'C4.wav', trigger: 'legato' }] }, /samples\[0\]\.trigger: "legato" is not "attack" or "release"/);
  bad({ release: -1, samples: [{ path: 'C4.wav' }] }, /x\.json: release: -1 is not a number/);
});
