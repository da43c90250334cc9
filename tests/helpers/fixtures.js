// Test instruments written at test time: 16-bit PCM WAV files and SFZ text.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/generated/', import.meta.url));

/**
 * A mono 16-bit PCM WAV of `values`, with a `smpl` chunk for `loop`
 * ({ start, end } with end inclusive, as the format stores it) if given.
 */
export function wav16(values, sampleRate, loop) {
  const data = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  if (!loop) return Buffer.concat([header, data]);
  const smpl = Buffer.alloc(8 + 36 + 24);
  smpl.write('smpl', 0);
  smpl.writeUInt32LE(36 + 24, 4);
  smpl.writeUInt32LE(1, 8 + 28); // one loop
  smpl.writeUInt32LE(loop.start, 8 + 36 + 8);
  smpl.writeUInt32LE(loop.end, 8 + 36 + 12);
  const out = Buffer.concat([header, data, smpl]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

/** Writes `files` ({ relativePath: Buffer|string }) under FIXTURES/`dir`. */
export function writeFixtures(dir, files) {
  for (const [name, content] of Object.entries(files)) {
    const path = `${FIXTURES}${dir}/${name}`;
    mkdirSync(path.slice(0, path.lastIndexOf('/')), { recursive: true });
    writeFileSync(path, content);
  }
  return `${FIXTURES}${dir}/`;
}
