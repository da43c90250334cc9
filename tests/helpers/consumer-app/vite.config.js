// The consumer's Vite config, as the package README suggests it (without an
// import of 'vite', which this scratch app does not install).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default {
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
};
