#!/usr/bin/env node
// A tiny intake that records every request it receives and answers CORS for any origin.
// Imported by the tests; run alone (`node stub-intake.mjs [--port N]`) it logs one JSON line per request.
import {createServer} from 'node:http';
import {pathToFileURL} from 'node:url';

export async function startStubIntake({port = 0} = {}) {
  const received = [];
  const preflights = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const cors = {
        'access-control-allow-origin': req.headers.origin || '*',
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type',
        vary: 'origin',
      };
      const body = Buffer.concat(chunks).toString('utf8');
      let json = null;
      try {
        json = JSON.parse(body);
      } catch {
        // Kept as raw text: the tests assert bodies parse.
      }
      const record = {method: req.method, path: req.url, headers: req.headers, bytes: Buffer.byteLength(body), body, json};
      (req.method === 'OPTIONS' ? preflights : received).push(record);
      server.emit('received', record);
      res.writeHead(req.method === 'OPTIONS' ? 204 : 200, cors).end();
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/pixel/events`,
    received,
    preflights,
    server,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const portArg = process.argv.indexOf('--port');
  const stub = await startStubIntake({port: portArg > 0 ? Number(process.argv[portArg + 1]) : 0});
  process.stdout.write(JSON.stringify({listening: stub.url}) + '\n');
  stub.server.on('received', ({method, path, bytes, json}) =>
    process.stdout.write(JSON.stringify({method, path, bytes, events: json && json.batch ? json.batch.length : null}) + '\n'),
  );
}
