/**
 * A static host that sends no cross-origin-isolation headers (no COOP, no COEP), as many do: it serves the
 * production build (`dist/`) so a test can see what the page does there. Listens on a free port.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface PlainStaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The file under `root` a request path names, or null when it names none (or climbs out of root). */
function fileFor(root: string, requestPath: string): string | null {
  const relative = normalize(decodeURIComponent(requestPath.split('?')[0]!)).replace(/^([/\\])+/, '');
  const path = resolve(root, relative === '' ? 'index.html' : relative);
  if (path !== root && !path.startsWith(root + sep)) return null;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return fileFor(root, join(relative, 'index.html'));
    return stat.isFile() ? path : null;
  } catch {
    return null;
  }
}

export async function startPlainStaticServer(directory: string): Promise<PlainStaticServer> {
  const root = resolve(directory);
  if (!fileFor(root, '/index.html')) throw new Error(`${root} has no index.html: run \`npx vite build\` first`);
  const server: Server = createServer((request, response) => {
    const path = fileFor(root, request.url ?? '/');
    if (!path) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((done, fail) => {
        server.close((error) => (error ? fail(error) : done()));
        server.closeAllConnections(); // the browser's keep-alive connections would hold close() open
      }),
  };
}
