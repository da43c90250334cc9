// Writes web/API.md, the package's API reference, from the declarations and
// doc comments of web/index.d.ts. `--check` writes nothing and exits 1 when
// web/API.md is not what this would write (tests/api-doc.test.js runs it).
//
// The reader below knows only the shapes index.d.ts uses: top-level
// `export type|interface|class|function|const` declarations, each optionally after
// a /** */ comment; members of interfaces and classes end with `;`; a union
// type may carry a /** */ comment before each `| member`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DTS = fileURLToPath(new URL('../index.d.ts', import.meta.url));
const OUT = fileURLToPath(new URL('../API.md', import.meta.url));

/** Text of a /** *\/ comment without its frame and leading asterisks. */
function commentText(comment) {
  return comment
    .replace(/^\/\*\*\s?/, '')
    .replace(/\s*\*\/$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, '').trim())
    .join('\n')
    .trim()
    .replace(/(\S)\n(?=\S)/g, '$1 ');
}

/**
 * Splits `text` into pieces: doc comments before a statement, and
 * statements ended by `;` (or by the `}` closing a body at depth 0 when
 * `bodies` is true), outside strings and brackets. Line comments are
 * dropped.
 */
function pieces(text, { bodies = false } = {}) {
  const out = [];
  let depth = 0;
  let start = 0;
  const flush = (end, kind = 'statement') => {
    const piece = text.slice(start, end).trim();
    if (piece) out.push({ kind, text: piece });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i) + 2;
      if (depth === 0 && text.startsWith('/**', i) && text.slice(start, i).trim() === '') {
        flush(i);
        out.push({ kind: 'doc', text: commentText(text.slice(i, end)) });
        start = end;
      }
      i = end - 1;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      text = text.slice(0, i) + text.slice(end < 0 ? text.length : end);
      i -= 1;
    } else if (c === "'" || c === '"' || c === '`') {
      i = text.indexOf(c, i + 1);
    } else if ('({[<'.includes(c)) {
      depth += 1;
    } else if (')}]'.includes(c) || (c === '>' && text[i - 1] !== '=')) {
      depth -= 1;
      if (depth === 0 && c === '}' && bodies && !/^\s*[;|&,)]/.test(text.slice(i + 1))) flush(i + 1);
    } else if (c === ';' && depth === 0) {
      flush(i + 1);
    }
  }
  flush(text.length);
  return out;
}

/** Doc comments attached to what follows them: [{ doc, code }]. */
function documented(list) {
  const out = [];
  let doc = '';
  for (const p of list) {
    if (p.kind === 'doc') doc = doc ? `${doc}\n\n${p.text}` : p.text;
    else {
      out.push({ doc, code: p.text });
      doc = '';
    }
  }
  return out;
}

const oneLine = (code) =>
  code.replace(/\s+/g, ' ').replace(/([({[]) /g, '$1').replace(/[,;]? ?([)}\]])/g, '$1').trim();

/** `code` (trimmed: its first line lost its indentation) with its other lines shifted left to match. */
function dedent(code) {
  const lines = code.split('\n');
  const indents = lines.slice(1).filter((l) => l.trim()).map((l) => /^ */.exec(l)[0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return [lines[0], ...lines.slice(1).map((l) => l.slice(cut))].join('\n');
}
const cell = (text) => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

function declaration({ doc, code }) {
  const head = /^export\s+(?:declare\s+)?(type|interface|class|function|const)\s+(\w+)/.exec(code);
  if (!head) return null;
  const [, kind, name] = head;
  const lines = [`### ${kind} \`${name}\``, ''];
  if (kind === 'type' && code.includes('/**')) {
    // A union whose members carry their own doc comments: a table.
    const body = code.slice(code.indexOf('=') + 1).replace(/;\s*$/, '');
    if (doc) lines.push(doc, '');
    lines.push('| value | meaning |', '| --- | --- |');
    let memberDoc = '';
    for (const part of body.split(/(\/\*\*[\s\S]*?\*\/)/)) {
      if (part.startsWith('/**')) memberDoc = commentText(part);
      else {
        for (const member of part.split('|').map((m) => m.trim()).filter(Boolean)) {
          lines.push(`| \`${member}\` | ${cell(memberDoc)} |`);
          memberDoc = '';
        }
      }
    }
    lines.push('');
    return { name, text: lines.join('\n') };
  }
  const open = code.indexOf('{');
  if ((kind === 'interface' || kind === 'class') && open >= 0) {
    lines.push('```ts', `${oneLine(code.slice(0, open))} { ... }`, '```', '');
    if (doc) lines.push(doc, '');
    const members = documented(pieces(code.slice(open + 1, code.lastIndexOf('}'))));
    // Properties in a table, then each method with its signature.
    const isMethod = (m) => /^(?:static\s+)?(?:constructor|\w+)\s*\(/.test(m.code);
    const properties = members.filter((m) => !isMethod(m));
    if (properties.length) {
      lines.push('| property | |', '| --- | --- |');
      for (const m of properties) lines.push(`| \`${cell(oneLine(m.code).replace(/;$/, ''))}\` | ${cell(m.doc)} |`);
      lines.push('');
    }
    for (const m of members.filter(isMethod)) {
      const method = /^(?:static\s+)?(\w+)/.exec(m.code)[1];
      const owner = kind === 'class' && !/^static\b/.test(m.code) && method !== 'constructor' ? name[0].toLowerCase() + name.slice(1) : name;
      lines.push(`#### \`${owner}${method === 'constructor' ? '' : `.${method}`}()\``, '', '```ts', dedent(m.code), '```', '');
      if (m.doc) lines.push(m.doc, '');
    }
  } else {
    lines.push('```ts', oneLine(code), '```', '');
    if (doc) lines.push(doc, '');
  }
  return { name, text: lines.join('\n') };
}

/** The markdown for the declarations in `dts` (the text of index.d.ts). */
export function renderApiDoc(dts) {
  const decls = documented(pieces(dts, { bodies: true })).map(declaration).filter(Boolean);
  // The entry points first, then the rest in the order of the file.
  const first = ['createSampler', 'Sampler', 'SamplerOptions', 'EventOptions', 'SamplerError', 'SamplerErrorCode'];
  const rank = (d) => (first.includes(d.name) ? first.indexOf(d.name) : first.length);
  const ordered = decls.map((d, i) => ({ d, i })).sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i).map((x) => x.d);
  return [
    '# wasm-midi-sampler API',
    '',
    '<!-- Generated from web/index.d.ts by `node web/scripts/api-doc.mjs`: edit the doc comments there, not this file. -->',
    '',
    `Everything is exported from \`wasm-midi-sampler\`: ${ordered.map((d) => `[\`${d.name}\`](#${anchor(d.text)})`).join(', ')}.`,
    '',
    ...ordered.map((d) => d.text),
  ].join('\n');
}

/** GitHub's anchor for a "### kind `Name`" heading. */
function anchor(text) {
  return text.split('\n')[0].replace(/^### /, '').toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const doc = renderApiDoc(readFileSync(DTS, 'utf8'));
  if (process.argv.includes('--check')) {
    let current = '';
    try { current = readFileSync(OUT, 'utf8'); } catch {}
    if (current !== doc) {
      console.error('web/API.md is stale: run `node web/scripts/api-doc.mjs`');
      process.exit(1);
    }
  } else {
    writeFileSync(OUT, doc);
    console.log(`wrote ${OUT}`);
  }
}
