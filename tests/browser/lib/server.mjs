// Serves the harness page, its worker and the built pixel bundle on a random localhost port.
import {createServer} from 'node:http';
import {readFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';

const harnessDir = fileURLToPath(new URL('../harness/', import.meta.url));

const ROUTES = {
  '/': ['index.html', 'text/html'],
  '/index.html': ['index.html', 'text/html'],
  '/host.js': ['host.js', 'text/javascript'],
  '/sandbox-worker.js': ['sandbox-worker.js', 'text/javascript'],
};

/** `bundlePath` is the built pixel; it is read per request so a rebuild needs no restart. */
export async function serveHarness(bundlePath) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    try {
      let body;
      let type;
      if (path === '/pixel.js') {
        body = await readFile(bundlePath);
        type = 'text/javascript';
      } else if (path === '/gone.html') {
        // The page the unload scenario leaves for answers after a storefront-like time to first
        // byte: the old page lives until then, as it would on a real store.
        const ttfb = Number(new URL(req.url, 'http://localhost').searchParams.get('ttfb')) || 0;
        await new Promise((resolve) => setTimeout(resolve, Math.min(ttfb, 5_000)));
        body = await readFile(harnessDir + 'gone.html');
        type = 'text/html';
      } else if (ROUTES[path]) {
        body = await readFile(harnessDir + ROUTES[path][0]);
        type = ROUTES[path][1];
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store'}).end(body);
    } catch (error) {
      res.writeHead(500, {'content-type': 'text/plain'}).end(String(error.message));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
