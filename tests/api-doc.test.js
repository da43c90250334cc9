// The API reference (web/API.md) is generated from web/index.d.ts and must
// be current; every SamplerError code the package can throw is declared and
// documented there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { renderApiDoc } from '../web/scripts/api-doc.mjs';

const read = (path) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

test('web/API.md is what web/scripts/api-doc.mjs makes of web/index.d.ts', () => {
  assert.ok(
    read('web/API.md') === renderApiDoc(read('web/index.d.ts')),
    'web/API.md is stale: run `node web/scripts/api-doc.mjs` and commit the result',
  );
});

test('every SamplerError code thrown in web/ is in SamplerErrorCode, with a doc comment', () => {
  const union = /export type SamplerErrorCode =([\s\S]*?);/.exec(read('web/index.d.ts'))[1];
  const documented = new Map();
  let doc = '';
  for (const part of union.split(/(\/\*\*[\s\S]*?\*\/)/)) {
    if (part.startsWith('/**')) doc = part;
    else for (const m of part.matchAll(/'([^']+)'/g)) documented.set(m[1], doc), (doc = '');
  }
  const thrown = new Set();
  for (const file of readdirSync(new URL('../web/', import.meta.url)).filter((f) => f.endsWith('.js'))) {
    for (const m of read(`web/${file}`).matchAll(/new SamplerError\(([^,]+),/g)) {
      for (const code of m[1].matchAll(/'([^']+)'/g)) thrown.add(code[1]);
    }
  }
  assert.ok(thrown.size >= 5, `found only ${[...thrown]}`);
  for (const code of thrown) assert.ok(documented.has(code), `'${code}' is thrown but not in SamplerErrorCode (web/index.d.ts)`);
  for (const [code, comment] of documented) assert.ok(comment, `'${code}' has no doc comment in SamplerErrorCode`);
});
