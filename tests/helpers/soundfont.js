// A minimal SoundFont writer for tests: one preset playing one sample,
// either 16-bit PCM (SF2) or an Ogg Vorbis stream (SF3, sample type 0x11,
// start/end as byte offsets, loop points in decoded frames).

function chunk(id, data) {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

const list = (kind, parts) => chunk('LIST', Buffer.concat([Buffer.from(kind, 'latin1'), ...parts]));

function name20(name) {
  const b = Buffer.alloc(20);
  b.write(name.slice(0, 19), 0, 'latin1');
  return b;
}

const u16 = (...v) => Buffer.concat(v.map((x) => { const b = Buffer.alloc(2); b.writeUInt16LE(x & 0xffff); return b; }));
const u32 = (...v) => Buffer.concat(v.map((x) => { const b = Buffer.alloc(4); b.writeUInt32LE(x >>> 0); return b; }));

/**
 * A font with preset `name` (bank 0, program 0) playing `sample` over the
 * whole keyboard: { data (Buffer: Ogg bytes or 16-bit PCM), ogg (bool),
 * rate, root, loop: [start, end] in frames (end exclusive) or null, frames
 * (PCM only, for loop offsets) }.
 */
export function soundFont({ name = 'Test', sample }) {
  const ogg = !!sample.ogg;
  const [start, end] = ogg ? [0, sample.data.length] : [0, sample.data.length / 2];
  // SF2 loops are absolute points; SF3 loops count decoded frames.
  const [ls, le] = sample.loop ?? [0, 0];
  const info = list('INFO', [chunk('ifil', u16(ogg ? 3 : 2, 1)), chunk('isng', Buffer.from('EMU8000\0')), chunk('INAM', Buffer.from(`${name} font\0`))]);
  const smpl = ogg ? sample.data : Buffer.concat([sample.data, Buffer.alloc(92)]);
  const sdta = list('sdta', [chunk('smpl', smpl)]);
  const phdr = Buffer.concat([name20(name), u16(0, 0, 0), Buffer.alloc(12), name20('EOP'), u16(0, 0, 1), Buffer.alloc(12)]);
  const pbag = u16(0, 0, 1, 0);
  const pmod = Buffer.alloc(10);
  const pgen = Buffer.concat([u16(41, 0), u16(0, 0)]); // instrument 0
  const inst = Buffer.concat([name20(name), u16(0), name20('EOI'), u16(1)]);
  const ibag = u16(0, 0, 2, 0);
  const imod = Buffer.alloc(10);
  const igen = Buffer.concat([u16(54, sample.loop ? 1 : 0), u16(53, 0), u16(0, 0)]); // sampleModes, sampleID
  const type = ogg ? 0x11 : 0x01;
  const shdr = Buffer.concat([
    name20(name), u32(start, end, ls, le, sample.rate), Buffer.from([sample.root, 0]), u16(0, type),
    name20('EOS'), u32(0, 0, 0, 0, 0), Buffer.from([0, 0]), u16(0, 0),
  ]);
  const pdta = list('pdta', [['phdr', phdr], ['pbag', pbag], ['pmod', pmod], ['pgen', pgen], ['inst', inst], ['ibag', ibag], ['imod', imod], ['igen', igen], ['shdr', shdr]].map(([id, d]) => chunk(id, d)));
  return chunk('RIFF', Buffer.concat([Buffer.from('sfbk'), info, sdta, pdta]));
}
