import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// Answers a hostile provider, broker or pact host might give, for tests that verification ends.

/** Headers at once, then one byte every 100 ms until the client goes away. */
export function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const t = setInterval(() => res.write(' '), 100);
  res.on('close', () => clearInterval(t));
}

export interface Flood {
  /** The client hung up before the whole flood was written. */
  cut: boolean;
  /** Settles when the answer is over, cut or complete. */
  over: Promise<void>;
}

// Far more than any limit in these tests and more than loopback socket buffers hold, so the flood
// only ends early when the client stops reading; small enough that a client without a limit
// survives it (and fails the test, not the machine).
const FLOOD_BYTES = 64 * 1024 * 1024;

/** 64 KiB chunks, as fast as the client reads them, up to FLOOD_BYTES or until it goes away. */
export function flood(res: ServerResponse, declare?: number): Flood {
  const f = { cut: false } as Flood;
  let written = 0;
  let finished = false;
  f.over = new Promise<void>((r) => {
    res.on('finish', () => {
      finished = true;
    });
    res.on('close', () => {
      f.cut = !finished;
      r();
    });
  });
  res.writeHead(200, {
    'Content-Type': 'application/json',
    ...(declare === undefined ? {} : { 'Content-Length': String(declare) }),
  });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = (): void => {
    while (!res.destroyed && written < FLOOD_BYTES) {
      written += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
  return f;
}

let servers: Server[] = [];

/** A server on 127.0.0.1 that answers with `handler` once the request is read; resolves to its URL. */
export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes every server {@link serve} started, cutting open connections (for afterEach). */
export async function closeServers(): Promise<void> {
  const closing = servers;
  servers = [];
  await Promise.all(
    closing.map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
}
