import { type IncomingHttpHeaders, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a receiver got. */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: a real HTTP server on 127.0.0.1 that keeps what it got. */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Resolves once `n` requests have arrived (the test's timeout ends a wait that never does). */
  waitFor: (n: number) => Promise<Received[]>;
  close: () => Promise<void>;
}

/** How a receiver answers its n-th request (from 1); by default 200 `ok`. */
export type Respond = (request: Received, n: number, res: ServerResponse) => void;

const ok: Respond = (_r, _n, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
};

/**
 * Starts a receiver on 127.0.0.1 (port 0 picks one, or the port given: a test can start it where a broker
 * already failed to connect).
 */
export function startReceiver(respond: Respond = ok, port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      for (const w of waiters.splice(0)) w();
      respond(r, received.length, res);
    });
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        port: actual,
        received,
        waitFor: async (n) => {
          while (received.length < n) await new Promise<void>((r) => waiters.push(r));
          return received;
        },
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A loopback port nothing listens on: one the system just handed out and took back. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
