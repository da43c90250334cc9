import { defineConfig } from 'vite';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// SharedArrayBuffer needs cross-origin isolation, so every response of the
// dev server and of `vite preview` carries COOP and COEP.
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const require = createRequire(import.meta.url);

/**
 * The name a sample is published under: the packages' sharps ('D#1v8.mp3')
 * written 's' ('Ds1v8.mp3'). A '#' must be escaped in a URL ('%23'), and
 * static servers disagree on unescaping it (`vite preview` looks for a file
 * named 'D%231v8.mp3' and answers with the page), so no published name has
 * a character a URL must escape.
 */
export function publishedSampleName(name) {
  const published = name.replaceAll('#', 's');
  if (encodeURIComponent(published) !== published) throw new Error(`sample ${name}: no URL-safe name for it`);
  return published;
}

/**
 * Serves the default piano's samples from their npm package at
 * /samples/<package>/<published name> (in dev) and copies them into builds
 * under those names (Vite's import pipeline cannot take the '#' in the
 * packages' own names anyway).
 */
function npmSamples(packages) {
  const files = packages.flatMap((pkg) => {
    const dir = join(dirname(require.resolve(`${pkg}/package.json`)), 'audio');
    return require(pkg).map((name) => ({ url: `/samples/${pkg.split('/').pop()}/${publishedSampleName(name)}`, path: join(dir, name) }));
  });
  const byUrl = new Map(files.map((f) => [f.url, f.path]));
  return {
    name: 'npm-samples',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = byUrl.get(decodeURIComponent((req.url ?? '').split('?')[0]));
        if (!path) return next();
        res.setHeader('Content-Type', 'audio/mpeg');
        res.setHeader('Accept-Ranges', 'bytes');
        for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        const body = readFileSync(path);
        // The page's first piano step asks for the start of each sample
        // (www/quick-piano.js), as static servers allow.
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (!range) return res.end(body);
        const start = Number(range[1]);
        const end = Math.min(body.length - 1, range[2] ? Number(range[2]) : body.length - 1);
        if (start > end) return res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${body.length}` }).end(body.subarray(start, end + 1));
      });
    },
    generateBundle() {
      for (const f of files) this.emitFile({ type: 'asset', fileName: f.url.slice(1), source: readFileSync(f.path) });
    },
  };
}

export default defineConfig({
  root: 'www',
  plugins: [
    npmSamples([4, 8, 12, 16].map((v) => `@audio-samples/piano-mp3-velocity${v}`).concat('@audio-samples/piano-mp3-release')),
  ],
  server: { port: 5173, strictPort: false, headers: isolationHeaders },
  preview: { port: 4173, headers: isolationHeaders },
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022' },
});
