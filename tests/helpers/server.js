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

/**
 * The same page and samples served WITHOUT cross-origin isolation: the
 * project's config, with every COOP/COEP header dropped on its way out.
 */
export async function startServerWithoutIsolation() {
  const dropIsolation = {
    name: 'drop-isolation-headers',
    enforce: 'pre',
    configureServer(server) {
      server.middlewares.use((_req, res, next) => {
        const setHeader = res.setHeader.bind(res);
        res.setHeader = (name, value) => (/^cross-origin-(opener|embedder)-policy$/i.test(name) ? res : setHeader(name, value));
        next();
      });
    },
  };
  const server = await createServer({
    configFile: `${root}/vite.config.js`,
    root: `${root}/www`,
    logLevel: 'error',
    plugins: [dropIsolation],
    server: { port: 0, host: '127.0.0.1' },
  });
  await server.listen();
  return { url: server.resolvedUrls.local[0], close: () => server.close() };
}
