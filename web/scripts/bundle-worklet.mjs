// Bundles worklet/processor.js with the polyfill and the wasm-bindgen glue
// into one self-contained ES module, web/generated/sampler-worklet.js, so
// that the npm package's worklet URL works in any bundler or none.
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    outDir: 'web/generated',
    emptyOutDir: false,
    minify: false,
    copyPublicDir: false,
    lib: {
      entry: 'worklet/processor.js',
      formats: ['es'],
      fileName: () => 'sampler-worklet.js',
    },
  },
});
