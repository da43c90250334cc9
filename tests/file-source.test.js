// User files as an instrument source (web/file-source.js): which file is
// the instrument, and how the paths an SFZ or JSON names find their files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileEntries, pickMainFile, chooseMainFile, FileSetSource, normalizePath, kindOf, openSource, UrlSource } from '../web/file-source.js';
import { instrumentBytes, MAX_INSTRUMENT_BYTES, Sampler } from '../web/index.js';

const file = (name, text = name) => new File([text], name);

test('paths: backslashes, dots and kinds', () => {
  assert.equal(normalizePath('a\\b/./c/../d.wav'), 'a/b/d.wav');
  assert.equal(normalizePath('/x//y.wav'), 'x/y.wav');
  assert.equal(kindOf('x/Piano.SFZ'), 'sfz');
  assert.equal(kindOf('gm.sf3'), 'sf3');
  assert.equal(kindOf('C4.flac'), 'audio');
  assert.equal(kindOf('notes.txt'), null);
});

test('what counts as files: a File, arrays, { file, path }', () => {
  assert.deepEqual(fileEntries(file('a.sfz')).map((e) => e.path), ['a.sfz']);
  const entries = fileEntries([file('x.wav'), { file: file('c4.wav'), path: 'Kit\\wav\\c4.wav' }]);
  assert.deepEqual(entries.map((e) => e.path), ['x.wav', 'Kit/wav/c4.wav']);
  assert.equal(fileEntries('http://x/a.sfz'), null);
  assert.throws(() => fileEntries([]), (e) => e.code === 'instrument' && /empty list/.test(e.message));
  assert.throws(() => fileEntries([file('a'), 42]), (e) => e.code === 'instrument' && /entry 1 is neither a File nor \{ file, path \}/.test(e.message));
  assert.throws(() => openSource(42), (e) => e.code === 'instrument');
  assert.ok(openSource('http://h/x/piano.sfz') instanceof UrlSource);
});

test('the instrument file of a set: the shallowest .sfz/.sf2/.sf3/.json', () => {
  assert.equal(pickMainFile(['C4.wav', 'D4.wav']), null);
  assert.equal(pickMainFile(['s/C4.wav', 'piano.sfz']), 'piano.sfz');
  const warnings = [];
  assert.equal(pickMainFile(['Kit/extra/b.sfz', 'Kit/a.json', 'Kit/z.sfz'], warnings), 'Kit/a.json');
  assert.match(warnings[0], /3 instrument files given .* loading Kit\/a\.json/);
});

test('an SFZ that another one #includes is not the instrument', async () => {
  const src = openSource([file('a-layers.sfz', '<region> sample=x.wav'), file('piano.sfz', '#include "A-Layers.sfz"\n'), file('x.wav')]);
  const warnings = [];
  await chooseMainFile(src, warnings);
  assert.equal(src.main, 'piano.sfz');
  assert.deepEqual(warnings, []);
});

test('resolving names: exact, ignoring case, unique base name, else an error naming the file', async () => {
  const src = new FileSetSource(
    fileEntries([
      { file: file('p.sfz'), path: 'Kit/p.sfz' },
      { file: file('c4.wav', 'abc'), path: 'Kit/Samples/C4.wav' },
      { file: file('d4.wav'), path: 'Elsewhere/d4.wav' },
      { file: file('e.wav'), path: 'Kit/a/e.wav' },
      { file: file('e.wav'), path: 'Kit/b/e.wav' },
    ]),
    'Kit/p.sfz',
  );
  const warnings = [];
  assert.equal(src.resolve('Samples/C4.wav', 'Kit/p.sfz', warnings), 'Kit/Samples/C4.wav');
  assert.deepEqual(warnings, []);
  assert.equal(src.resolve('samples\\c4.WAV', 'Kit/p.sfz', warnings), 'Kit/Samples/C4.wav');
  assert.equal(warnings[0], 'Kit/samples/c4.WAV: matched Kit/Samples/C4.wav ignoring case');
  assert.equal(src.resolve('wav/D4.wav', 'Kit/p.sfz', warnings), 'Elsewhere/d4.wav');
  assert.equal(warnings[1], 'Kit/wav/D4.wav: not in the files given; using Elsewhere/d4.wav, the only file of that name');
  assert.throws(() => src.resolve('missing.wav', 'Kit/p.sfz'), /^Error: the file "Kit\/missing\.wav" is missing from the files given$/);
  assert.throws(() => src.resolve('c/e.wav', 'Kit/p.sfz'), /2 files have that name \(Kit\/a\/e\.wav, Kit\/b\/e\.wav\)/);
  assert.equal(src.size('Kit/Samples/C4.wav'), 3);
  let counted = 0;
  assert.equal(await src.readText('Kit/Samples/C4.wav', (n) => (counted += n)), 'abc');
  assert.equal(counted, 3);
});

test('an instrument larger than wasm32 memory is refused before it is sent', async () => {
  assert.equal(instrumentBytes([{ channels: [new Int16Array(10), new Int16Array(10)] }, { channels: [new Float32Array(5)] }]), 60);
  assert.ok(MAX_INSTRUMENT_BYTES < 4 * 2 ** 30 && MAX_INSTRUMENT_BYTES > 3 * 2 ** 30);
  // Stand-ins for 5 GB of channel data: nothing may be posted.
  let posted = 0;
  const fake = Object.assign(Object.create(Sampler.prototype), { _worklet: { port: { postMessage: () => posted++ } }, _waiting: new Map(), _nextId: 1, _state: 'running' });
  const huge = [{ channels: [{ byteLength: 5e9 }] }];
  await assert.rejects(Sampler.prototype._sendInstrument.call(fake, huge, [], {}, 'big.sfz'), (e) =>
    e.code === 'instrument-too-large' && /^big\.sfz: its samples need 4768\.4 MiB, more than the 3840 MiB/.test(e.message));
  assert.equal(posted, 0);
});
