/**
 * A stand-in for a healthchecks.io check (the dead-man side of the `ping` sink), on this machine's
 * loopback, speaking its ping API: GET/POST /ping/<key> (success), /ping/<key>/start, /ping/<key>/fail.
 * Its state follows healthchecks' rules: `new` until the first ping; `up` on a success; `down` on a
 * fail, or when no ping came within period + grace of the last one (silence alerts); a start
 * without its success within period + grace is down too. Every state change is recorded with its time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type DeadmanState = 'new' | 'up' | 'down';

export interface DeadmanMonitor {
  readonly url: string;
  state(): DeadmanState;
  readonly changes: { at: number; state: DeadmanState; why: string }[];
  readonly pings: { at: number; kind: 'success' | 'start' | 'fail' }[];
  close(): Promise<void>;
}

export async function deadmanMonitor(o: { periodMs: number; graceMs: number }): Promise<DeadmanMonitor> {
  let state: DeadmanState = 'new';
  let last = 0;
  const changes: DeadmanMonitor['changes'] = [];
  const pings: DeadmanMonitor['pings'] = [];
  const set = (s: DeadmanState, why: string) => {
    if (s === state) return;
    state = s;
    changes.push({ at: Date.now(), state: s, why });
  };
  const server: Server = createServer((req, res) => {
    const m = /^\/ping\/[^/]+(\/start|\/fail)?$/.exec((req.url ?? '').split('?')[0] ?? '');
    req.resume();
    if (!m) return void res.writeHead(404).end('not found');
    const kind = m[1] === '/start' ? 'start' : m[1] === '/fail' ? 'fail' : 'success';
    pings.push({ at: Date.now(), kind });
    last = Date.now();
    if (kind === 'success') set('up', 'success ping');
    if (kind === 'fail') set('down', 'fail ping');
    res.writeHead(200).end('OK');
  });
  const timer = setInterval(() => {
    if (state !== 'new' && Date.now() - last > o.periodMs + o.graceMs) set('down', `no ping for ${Date.now() - last} ms`);
  }, 20);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state: () => state,
    changes,
    pings,
    close: () => new Promise<void>((r) => {
      clearInterval(timer);
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
