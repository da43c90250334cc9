// Typed errors of the package. `code` is stable and meant for programs;
// `message` is meant for people. Every code is listed and explained in
// SamplerErrorCode (index.d.ts); bad arguments throw a standard TypeError
// or RangeError instead.

export class SamplerError extends Error {
  /**
   * @param {import('./index.d.ts').SamplerErrorCode} code
   * @param {string} message
   * @param {{ cause?: unknown }} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    this.name = 'SamplerError';
    this.code = code;
  }
}

/**
 * `message` about the file `name`, naming it once at its start: messages
 * pass through several layers that each know the file (the parsers name
 * it themselves), and only the first to name it does.
 */
export function aboutFile(name, message) {
  return message.startsWith(`${name}: `) ? message : `${name}: ${message}`;
}

/** Why this page cannot use SharedArrayBuffer, or null when it can. */
export function isolationProblem() {
  if (globalThis.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined') return null;
  return (
    'This page is not cross-origin isolated, so SharedArrayBuffer is unavailable and events must reach ' +
    'the sampler by postMessage, whose delivery time has no bound: they keep their sample frames, but ' +
    'late ones play at the next 128-frame block instead of on their frame. Serve it with the headers ' +
    '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" ' +
    '(see "Cross-origin isolation" in the wasm-midi-sampler README).'
  );
}
