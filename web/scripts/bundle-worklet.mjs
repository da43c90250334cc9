// Bundles worklet/processor.js with the polyfill and the wasm-bindgen glue
// into one self-contained ES module, web/generated/sampler-worklet.js, so
// that the npm package's worklet URL works in any bundler or none.
//
// The glue keeps its wasm instance in module-level variables, and a module
// is evaluated once per AudioWorkletGlobalScope, so every sampler on one
// context would share one instance: a trap in one would leave the others
// running on a possibly corrupt engine, a restart could not get a fresh
// one, and a disposed sampler's memory could never be returned. The worklet
// therefore imports the glue wrapped in a function (virtual module
// `engine-instance`): each call makes a new instance with its own memory.
import { build } from 'vite';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const GLUE = `${root}web/generated/sampler_wasm.js`;
const VIRTUAL = 'engine-instance';

/**
 * The glue's source as `export function newEngineInstance()` returning its
 * exports. Fails the build if the glue's shape is not what this expects
 * (top-level `export class|function` and one `export { ... }` list).
 */
function glueAsFactory(source) {
  const names = [];
  let body = source.replace(/^export (class|function) (\w+)/gm, (_, kind, name) => {
    names.push(name);
    return `${kind} ${name}`;
  });
  body = body.replace(/^export \{([^}]*)\};?$/m, (_, list) => {
    for (const item of list.split(',')) {
      const [local, exported] = item.trim().split(/\s+as\s+/);
      if (exported !== 'default') names.push(local);
    }
    return '';
  });
  if (/^\s*(export|import)\b/m.test(body) || /import\.meta/.test(body) || !names.includes('initSync')) {
    throw new Error(`${GLUE}: unexpected wasm-bindgen glue (an import, a remaining export, import.meta, or no initSync); update glueAsFactory`);
  }
  return `export function newEngineInstance() {\n${body}\nreturn { ${names.join(', ')} };\n}\n`;
}

const engineInstance = {
  name: 'engine-instance',
  resolveId: (id) => (id === VIRTUAL ? `\0${VIRTUAL}` : null),
  load: (id) => (id === `\0${VIRTUAL}` ? glueAsFactory(readFileSync(GLUE, 'utf8')) : null),
};

await build({
  configFile: false,
  root,
  logLevel: 'warn',
  plugins: [engineInstance],
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
