import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';

/**
 * What `docs serve` hands out: the site and its data, nothing else of
 * target/ (which may hold database files and run logs).
 */
export const SERVED_FILES: Readonly<Record<string, string>> = {
  '/index.html': 'text/html; charset=utf-8',
  '/static_index.html': 'text/html; charset=utf-8',
  '/manifest.json': 'application/json',
  '/catalog.json': 'application/json',
  '/dvt.json': 'application/json',
};

export function docsServer(targetPath: string): Server {
  return createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = path === '/' ? '/index.html' : path;
    const type = SERVED_FILES[file];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!type) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    readFile(join(targetPath, file.slice(1))).then(
      (body) => {
        response.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      () => response.writeHead(404, { 'content-type': 'text/plain' }).end(`${file.slice(1)} is missing: run 'dvt docs generate' first\n`),
    );
  });
}

/** Listens on host:port (port 0: any free port); resolves with the bound port. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
