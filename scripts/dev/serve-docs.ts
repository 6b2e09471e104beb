/** Serves the generated Redoc page and the bundled document on loopback; the page is self-contained (Redoc inlined). */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';

const files: Record<string, { path: string; type: string }> = {
  '/': { path: 'generated/docs/index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { path: 'generated/docs/index.html', type: 'text/html; charset=utf-8' },
  '/openapi.json': { path: 'generated/openapi.json', type: 'application/json' },
};

export interface DocsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveDocs(options: { port?: number; host?: string } = {}): Promise<DocsServer> {
  const server: Server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (!file || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    // Read per request so a regenerated page is served without a restart.
    readFile(join(REPO_ROOT, file.path)).then(
      (body) => response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' }).end(request.method === 'HEAD' ? undefined : body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${file.path} is missing: run npm run generate\n`),
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
