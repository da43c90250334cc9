// Memory of the renderer process that plays a page's audio, for leak tests.
// Chromium's renderers are separate processes (the audio worklet thread runs
// inside the page's); they are found in /proc by the --user-data-dir their
// command line names (Chromium rewrites its command line into one
// space-separated string), and the page's by its audio output thread.
import { readFileSync, readdirSync } from 'node:fs';

const read = (path) => {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null; // gone meanwhile
  }
};

/**
 * Resident set size, in bytes, of the one renderer of the browser using
 * `userDataDir` that has an AudioContext playing (Linux).
 */
export function audioRendererRssBytes(userDataDir) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const cmdline = read(`/proc/${pid}/cmdline`)?.replaceAll('\0', ' ');
    if (!cmdline?.includes('--type=renderer') || !cmdline.includes(`--user-data-dir=${userDataDir} `)) continue;
    const threads = readdirSync(`/proc/${pid}/task`).map((t) => read(`/proc/${pid}/task/${t}/comm`) ?? '');
    if (!threads.some((name) => name.startsWith('AudioOutputDev'))) continue;
    found.push(Number(/VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '')?.[1]) * 1024);
  }
  if (found.length !== 1) throw new Error(`${found.length} renderers of the browser with --user-data-dir=${userDataDir} play audio; expected one`);
  return found[0];
}

/**
 * Registers a processor in `contextExpression`'s AudioWorkletGlobalScope
 * that runs a full garbage collection there when constructed. Needs
 * `--js-flags=--expose-gc` (which also gives the page `gc()`).
 */
export function installWorkletGc(page, contextExpression) {
  return page.evaluate(async (expr) => {
    const ctx = eval(expr);
    const source = "registerProcessor('test-gc', class extends AudioWorkletProcessor { constructor() { super(); globalThis.gc(); this.port.postMessage('collected'); } process() { return false; } });";
    await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
  }, contextExpression);
}

/**
 * Full garbage collections of the page and of `contextExpression`'s worklet
 * scope, a few rounds apart (a node the page let go of releases its
 * processor only after the page's collection; the audio thread lets go of
 * it a quantum later).
 */
export function collectGarbage(page, contextExpression, rounds = 4) {
  return page.evaluate(async ({ expr, rounds }) => {
    const ctx = eval(expr);
    for (let i = 0; i < rounds; i++) {
      gc();
      const node = new AudioWorkletNode(ctx, 'test-gc');
      await new Promise((resolve) => { node.port.onmessage = resolve; });
      node.port.onmessage = null;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    gc();
  }, { expr: contextExpression, rounds });
}
