// A tiny static file server for the release build in dist/, so the end-to-end tests need
// nothing but node and Chromium. It listens on 127.0.0.1 on a free port the system picks.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** Content types of the files Trunk writes; browsers only stream-compile `application/wasm`. */
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves `root` until `close()` is called.
 * @param {string} root the folder to serve, e.g. dist/
 * @returns {Promise<{ origin: string, close: () => Promise<void> }>}
 */
export async function serveDist(root) {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    try {
      const file = await fileFor(base, request.url ?? '/');
      if (file === null) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('not found\n');
        return;
      }
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${error}\n`);
    }
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** The file under `base` a URL path names, `index.html` for a folder, or null. */
async function fileFor(base, url) {
  const path = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  const file = normalize(join(base, path));
  // Never serve anything outside the served folder, whatever `..` the path holds.
  if (file !== base && !file.startsWith(base + sep)) {
    return null;
  }
  const info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    return fileFor(base, join(path, 'index.html'));
  }
  return info?.isFile() ? file : null;
}
