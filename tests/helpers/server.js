// Real HTTP servers for the browser tests: AudioWorklet module fetches
// bypass Playwright's request interception, so COOP/COEP must come from a
// server.
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The project's own Vite dev server (vite.config.js, with COOP/COEP). */
export async function startDevServer() {
  const server = await createServer({
    configFile: `${root}/vite.config.js`,
    root: `${root}/www`,
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1' },
  });
  await server.listen();
  return { url: server.resolvedUrls.local[0], close: () => server.close() };
}

/** The same page served WITHOUT cross-origin isolation headers. */
export async function startServerWithoutIsolation() {
  const server = await createServer({
    configFile: false,
    root: `${root}/www`,
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1' },
  });
  await server.listen();
  return { url: server.resolvedUrls.local[0], close: () => server.close() };
}
