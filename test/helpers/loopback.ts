/** Servers a test owns on this machine's loopback: a free port, and an HTTP receiver that records what it is sent. */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface HttpReceiver {
  /** http://127.0.0.1:PORT (the same port across down() and up()) */
  readonly url: string;
  /** every request in arrival order: its path and body */
  readonly got: { path: string; body: string }[];
  up(): Promise<void>;
  /** closes the port (connections are refused) until up() */
  down(): Promise<void>;
}

/** Answers every request 200 and records it. */
export async function httpReceiver(): Promise<HttpReceiver> {
  let server: Server | undefined;
  let port = 0;
  const got: { path: string; body: string }[] = [];
  const up = () => new Promise<void>((res) => {
    server = createHttpServer((req, resp) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({ path: req.url ?? '', body });
        resp.writeHead(200).end('ok');
      });
    });
    server.listen(port, '127.0.0.1', () => {
      port = (server!.address() as AddressInfo).port;
      res();
    });
  });
  await up();
  return {
    get url() { return `http://127.0.0.1:${port}`; },
    got,
    up,
    down: () => new Promise<void>((res) => { server?.closeAllConnections(); server?.close(() => res()); }),
  };
}
