// Writes the SoundFont regression corpus next to this script (committed;
// rerun only to change it): `node crates/sf2/tests/corpus/make.mjs`.
// One small valid SF2 and SF3, and damaged variants of them.
import { writeFileSync } from 'node:fs';
import { soundFont } from '../../../../tests/helpers/soundfont.js';

const here = new URL('./', import.meta.url);
const write = (name, bytes) => writeFileSync(new URL(name, here), bytes);

const points = Buffer.alloc(2000);
for (let i = 0; i < 1000; i++) points.writeInt16LE(Math.round(10000 * Math.sin((2 * Math.PI * i) / 50)), i * 2);
const sf2 = soundFont({ name: 'Sine', sample: { data: points, rate: 22050, root: 69, loop: [100, 900] } });
const fakeOgg = Buffer.from('OggS\0\x02 a stand-in Vorbis stream (the parser does not decode)');
const sf3 = soundFont({ name: 'Sine', sample: { data: fakeOgg, ogg: true, rate: 22050, root: 69, loop: [100, 900] } });

/** A copy of `font` with `patch(buffer, offsetOf(chunkId))` applied. */
function variant(font, patch) {
  const b = Buffer.from(font);
  patch(b, (id) => b.indexOf(Buffer.from(id, 'latin1')) + 8);
  return b;
}

write('ok-sf2-minimal.sf2', sf2);
write('ok-sf3-minimal.sf3', sf3);
write('bad-empty.sf2', Buffer.alloc(0));
write('bad-truncated-header.sf2', sf2.subarray(0, 10));
write('bad-truncated-in-sdta.sf2', sf2.subarray(0, 300));
write('bad-truncated-in-pdta.sf2', sf2.subarray(0, sf2.length - 60));
write('bad-magic.sf2', variant(sf2, (b) => b.write('RIFX', 0, 'latin1')));
write('bad-not-sfbk.sf2', variant(sf2, (b) => b.write('WAVE', 8, 'latin1')));
write('bad-huge-riff-size.sf2', variant(sf2, (b) => b.writeUInt32LE(0xfffffff0, 4)));
write('bad-huge-smpl-size.sf2', variant(sf2, (b, at) => b.writeUInt32LE(0x7fffffff, at('smpl') - 4)));
write('bad-huge-shdr-size.sf2', variant(sf2, (b, at) => b.writeUInt32LE(0xffffffff, at('shdr') - 4)));
write('bad-sample-end-past-data.sf2', variant(sf2, (b, at) => b.writeUInt32LE(0x7fffffff, at('shdr') + 24)));
write('bad-sample-rate-zero.sf2', variant(sf2, (b, at) => b.writeUInt32LE(0, at('shdr') + 36)));
write('bad-loop-past-end.sf2', variant(sf2, (b, at) => b.writeUInt32LE(5000, at('shdr') + 32)));
write('bad-rom-sample.sf2', variant(sf2, (b, at) => b.writeUInt16LE(0x8001, at('shdr') + 44)));
write('bad-bag-gen-out-of-range.sf2', variant(sf2, (b, at) => b.writeUInt16LE(999, at('pbag'))));
write('bad-instrument-link.sf2', variant(sf2, (b, at) => b.writeUInt16LE(500, at('pgen') + 2)));
write('bad-sample-link.sf2', variant(sf2, (b, at) => b.writeUInt16LE(77, at('igen') + 6)));
write('bad-sf3-range.sf3', variant(sf3, (b, at) => b.writeUInt32LE(1 << 30, at('shdr') + 24)));
write('bad-sf3-empty-range.sf3', variant(sf3, (b, at) => b.writeUInt32LE(0, at('shdr') + 24)));
let seed = 12345;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff;
write('bad-random-body.sf2', Buffer.concat([sf2.subarray(0, 12), Buffer.from(Array.from({ length: 500 }, random))]));
